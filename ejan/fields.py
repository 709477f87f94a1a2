"""The title and body checks every feature's forms share (diary entries, topics, surveys, announcements):
cleaned the same way, required and limited the same way, told in the same words.

Each check adds what is wrong to the submission's Problems and returns the cleaned value, so a
service reports every fault of a form at once."""
from __future__ import annotations

from flask_babel import format_number, gettext as _

from .cleaning import clean_text, single_line
from .errors import Problems


def title(problems: Problems, value: str | None, limit: int, code: str = "title") -> str:
    """A one-line title: control characters and line breaks gone, required, at most `limit` characters."""
    value = single_line(value or "")
    if not value:
        problems.add(_("タイトルを入力してください。"), code)
    elif len(value) > limit:
        problems.add(_("タイトルは%(max)d文字以内にしてください。", max=limit), code)
    return value


def body(problems: Problems, value: str | None, limit: int, code: str = "body", *, required: bool = True) -> str:
    """A text of several lines: control characters gone (line breaks and tabs stay), trimmed, at most
    `limit` characters; the message says how long it is now, since a long text is cut by hand."""
    value = clean_text(value or "").strip()
    if not value:
        if required:
            problems.add(_("本文を入力してください。"), code)
    elif len(value) > limit:
        problems.add(_("本文は%(max)s文字以内にしてください（いまは%(length)s文字です）。",
                       max=format_number(limit), length=format_number(len(value))), code)
    return value
