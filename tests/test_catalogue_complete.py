"""Every word a resident can meet is translated: what the code marks (extracted afresh, as
scripts/translations.sh does) is in each catalogue, translated, not a fuzzy guess, with the same
placeholders. A folder starting with "_" (templates/_shared) counts too: pybabel skips those by default."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
LANGUAGES = ("en", "pt", "ja@easy")
PLACEHOLDER = re.compile(r"%\((\w+)\)")


@pytest.fixture(scope="module")
def marked() -> dict[tuple[str, str | None], str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith(".")):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault((msgid, context), filename)
    return found


def test_the_shared_templates_are_extracted(marked):
    assert any(name.startswith("ejan/templates/_shared/") for name in marked.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated(marked, language):
    with open(ROOT / "ejan/translations" / language / "LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    missing, fuzzy, wrong = [], [], []
    for (msgid, context), where in marked.items():
        entry = catalogue.get(msgid, context) or next(
            (m for m in catalogue if m.id and not isinstance(m.id, str) and m.id[0] == msgid), None)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or not all(strings):
            missing.append(f"{where}: {msgid}")
        elif entry.fuzzy:
            fuzzy.append(f"{where}: {msgid}")
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(msgid)) for s in strings[:1]):
            wrong.append(f"{where}: {msgid}")
    assert not missing, f"{len(missing)} untranslated in {language} (run scripts/translations.sh, then translate):\n" + "\n".join(missing[:20])
    assert not fuzzy, f"{len(fuzzy)} fuzzy guesses in {language}:\n" + "\n".join(fuzzy[:20])
    assert not wrong, f"{len(wrong)} with other placeholders in {language}:\n" + "\n".join(wrong[:20])
