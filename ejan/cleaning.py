"""The one place that cleans what comes in from outside, before any view or service sees it.

Control characters have no business in a resident's text: NUL breaks PostgreSQL (it cannot store
it) and every other C0/C1 control is invisible at best and an escape sequence at worst. Tab and line
breaks stay in text that may have several lines; single-line fields (a nickname, a title, a search)
lose line breaks too, so a nickname can never split a mail header.
"""
from __future__ import annotations

import re

from werkzeug.datastructures import ImmutableMultiDict

# C0 controls but tab, LF and CR; DEL; C1 controls; the BOM and the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]+")


def clean_text(value: str) -> str:
    """Text that may span lines: control characters out, line breaks kept."""
    return _CONTROL.sub("", value)


def single_line(value: str | None) -> str | None:
    """Text that must stay on one line: line breaks become one space, then ends trimmed."""
    if value is None:
        return None
    return _LINE_BREAK.sub(" ", clean_text(value)).strip()


class CleanMultiDict(ImmutableMultiDict):
    """Query and form values with control characters taken out as they are parsed (files untouched)."""

    def __init__(self, mapping=None):
        if mapping is not None and not isinstance(mapping, dict):
            mapping = [(clean_text(k) if isinstance(k, str) else k, clean_text(v) if isinstance(v, str) else v)
                       for k, v in mapping]
        elif isinstance(mapping, dict):
            mapping = {clean_text(k): clean_text(v) if isinstance(v, str) else v for k, v in mapping.items()}
        super().__init__(mapping)
