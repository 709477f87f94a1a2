"""Marked template text reaches translators whole and comes back translated, with names still escaped."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import flask_babel
import pytest
from flask import render_template_string
from jinja2.ext import babel_extract

TEMPLATES = Path(__file__).resolve().parents[1] / "ejan" / "templates"
KEYWORDS = ("_", "gettext", "ngettext", "pgettext", "npgettext")


def extract(path: Path) -> list[str]:
    with path.open("rb") as f:
        found = babel_extract(f, KEYWORDS, [], {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"})
        return [m for _line, _func, message, _comments in found
                for m in (message if isinstance(message, tuple) else (message,)) if m]


def test_every_template_yields_its_messages_to_the_extractor():
    messages = {m for p in TEMPLATES.rglob("*") if p.is_file() for m in extract(p)}
    # Whole sentences with placeholders, links kept inside, so translators can reorder them.
    assert "まだ日記がありません。<a href=\"%(url)s\">最初の日記を書いてみましょう</a>。" in messages
    assert "%(count)s件の新着" not in messages  # counted phrases keep their brackets …
    assert "(%(count)s件の新着)" in messages  # … and go through ngettext
    assert "e-じゃん掛川（運営：掛川市）" in messages  # the mail signature, once for all mails


class English:
    """A tiny catalogue standing in for a compiled one (i18n-core ships the real ones)."""
    words = {
        # The name comes addressed (ejan.text.honorific): English adds no さん.
        "%(who)sからマイフレンド申請が届きました": "%(who)s sent you a friend request",
        "%(nickname)s さん": "%(nickname)s",
        "ほか%(count)s人": ("%(count)s more person", "%(count)s more people"),
        "日": "Sun",
    }

    def ugettext(self, s):
        return self.words.get(s, s)

    def ungettext(self, s, p, n):
        forms = self.words.get(s)
        return (forms[0] if n == 1 else forms[1]) if forms else (s if n == 1 else p)

    def upgettext(self, context, s):
        return self.words.get(s, s) if context == "short weekday" else s


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(flask_babel, "get_translations", lambda: English())
    # Python's gettext (lazy wording declared by features) asks the domain, not the module function.
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: English())


def test_a_translated_sentence_keeps_the_nickname_escaped(app, english):
    n = SimpleNamespace(kind="friend_requested", actor=SimpleNamespace(nickname="<b>Sato</b>"), subject="")
    with app.test_request_context():
        html = render_template_string(
            '{{ notification_text(n) }}', n=n)
    assert html == "&lt;b&gt;Sato&lt;/b&gt; sent you a friend request"


@pytest.mark.parametrize("more, expected", [(1, "1 more person"), (4, "4 more people")])
def test_counted_phrases_take_the_languages_plural(app, english, more, expected):
    with app.test_request_context():
        html = render_template_string(
            '{% from "mobile/_macros.html" import rest %}{{ rest(seq, 2, people=true) }}', seq=[0] * (2 + more))
    assert html.strip() == expected + "<br>"


def test_weekday_names_come_from_the_catalogue(app, english):
    with app.test_request_context():
        html = render_template_string('{% from "_shared/words.html" import weekday %}{{ weekday(0) }}/{{ weekday(6) }}')
    assert html == "Sun/土"


def test_japanese_is_unchanged_without_a_catalogue(app):
    n = SimpleNamespace(kind="diary_comment", actor=SimpleNamespace(nickname="佐藤"), subject="茶摘み")
    with app.test_request_context():
        html = render_template_string(
            '{{ notification_text(n) }}', n=n)
    assert html == "佐藤 さんが日記「茶摘み」にコメントしました"
