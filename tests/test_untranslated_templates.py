"""Every word a resident reads in a template goes through gettext, so each language can translate it.

The scanner reads each template with Jinja's own lexer and reports any Japanese text that is
neither inside {% trans %}…{% endtrans %} nor a literal argument of _(), gettext() or ngettext().
Comments ({# … #}) are not shown to anyone and are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "ejan" / "templates"

# Hiragana, Katakana (and the half-width ones), CJK ideographs, Japanese and full-width punctuation.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# Japanese that may stand outside a translation call, and why.
ALLOWED = {
    # The middle dot that separates items on a line ("2026/05/01 ・ 削除") and starts a keitai list
    # row: punctuation between words, not a word (text around it is still checked).
    "・",
}

GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def untranslated(source: str, name: str = "<sample>") -> list[tuple[int, str]]:
    """(line, text) of every piece of Japanese outside a translation call, in template order."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    found = []
    in_trans = False
    block_words: list[str] = []  # the words of the {% … %} tag being read
    call_depths: list[int] = []  # paren depths at which a gettext call's arguments sit
    depth = 0
    previous = None  # the last significant token (type, value)
    tokens = [t for t in env.lexer.tokeniter(source, name) if t[1] != "whitespace"]
    for index, (lineno, kind, value) in enumerate(tokens):
        if kind in ("comment_begin", "comment", "comment_end", "linecomment"):
            continue
        if kind == "block_begin":
            block_words = []
        elif kind == "name" and previous and previous[0] == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        elif kind == "operator" and value == "(":
            depth += 1
            if previous and previous[0] == "name" and previous[1] in GETTEXT_CALLS:
                call_depths.append(depth)
        elif kind == "operator" and value == ")":
            if call_depths and call_depths[-1] == depth:
                call_depths.pop()
            depth -= 1
        elif kind == "data" and not in_trans:
            found.extend(_japanese_lines(value, lineno))
        elif kind == "string":
            # A literal is translated when it is a positional argument of a gettext call (the
            # msgid), not a keyword value like name="ゲスト", which needs its own _().
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            positional = (
                call_depths
                and call_depths[-1] == depth
                and previous[0] == "operator" and previous[1] in ("(", ",")
                and following is not None and following[1] == "operator" and following[2] in (")", ",")
            )
            if not positional:
                found.extend(_japanese_lines(value, lineno))
        previous = (kind, value)
    return found


def _japanese_lines(text: str, first_line: int) -> list[tuple[int, str]]:
    hits = []
    for offset, line in enumerate(text.split("\n")):
        rest = line
        for allowed in ALLOWED:
            rest = rest.replace(allowed, "")
        if JAPANESE.search(rest):
            hits.append((first_line + offset, line.strip()))
    return hits


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


def test_every_template_string_is_marked_for_translation():
    problems = []
    for path in _templates():
        rel = path.relative_to(TEMPLATES)
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for lineno in sorted({lineno for lineno, _text in untranslated(source, str(rel))}):
            problems.append(f"  ejan/templates/{rel}:{lineno}: {lines[lineno - 1].strip()}")
    assert not problems, (
        "Japanese text outside _() / {% trans %} (wrap it so it can be translated; "
        "a name shown in every language goes in ALLOWED with the reason):\n" + "\n".join(problems)
    )


def test_templates_were_found():
    # Guards against a moved folder making the check above pass on nothing.
    assert len(_templates()) > 50
    assert (TEMPLATES / "_shared" / "words.html").exists()


@pytest.mark.parametrize("source, line", [
    ("<p>ようこそ</p>", 1),
    ("<p>\n<b>{{ name }}</b>さん</p>", 2),
    ('<input type="submit" value="送信する">', 1),
    ('{{ "ゲスト" }}', 1),
    ("{{ _('%(name)sさん', name='ゲスト') }}", 1),  # a keyword value is not the msgid
    ("{{ _('ok') }}です", 1),
    ("{% trans %}はい{% endtrans %}いいえ", 1),
    ("{% if x %}{{ x }}{% else %}なし{% endif %}", 1),
    ("{% set who = m.nickname if m else '退会した方' %}", 1),
    ("{{ when|jst('%m月%d日') }}", 1),
    ("e-じゃん掛川へようこそ", 1),
    ("<title>e-じゃん掛川</title>", 1),
    ("・ 削除", 1),
    ('{% trans who=m.nickname or "ゲスト" %}{{ who }}さん{% endtrans %}', 1),
])
def test_scanner_catches_unmarked_japanese(source, line):
    hits = untranslated(source)
    assert hits and hits[0][0] == line, hits


@pytest.mark.parametrize("source", [
    "{{ _('ようこそ') }}",
    '<input type="submit" value="{{ _(\'送信する\') }}">',
    "{{ gettext('はい') }}",
    "{% trans name=m.nickname %}{{ name }}さんの日記{% endtrans %}",
    "{%- trans -%}\n複数行の\n文章{%- endtrans %}",
    "{% trans count=n %}{{ count }}人{% pluralize %}{{ count }}人{% endtrans %}",
    "{{ ngettext('%(num)d件', '%(num)d件', n) }}",
    "{{ _('%(name)sさん', name=_('ゲスト')) }}",
    "{{ when|jst(_('%m月%d日')) }}",
    "{# 説明のコメント #}<p>{{ x }}</p>",
    "<title>{{ _('e-じゃん掛川') }}</title>",
    "{{ a }} ・ {{ b }}",
])
def test_scanner_accepts_marked_japanese(source):
    assert untranslated(source) == []
