"""No Japanese a resident reads may hide in Python outside gettext: every such string goes through
_() / gettext / lazy_gettext (_l) / ngettext, or N_ where it is marked now and translated later.

The template half of this check is tests/test_untranslated_templates.py.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ejan"

# Kana and kanji: words. Japanese punctuation alone ("、。", the geta 〓) is not a sentence to translate.
JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
GETTEXT = {"_", "gettext", "lazy_gettext", "_l", "ngettext", "lazy_ngettext", "pgettext", "npgettext", "lazy_pgettext", "N_"}

# Whole files whose Japanese is not the site's wording.
ALLOWED_FILES = {
    # Demo residents' diaries, communities and names: what people write, never translated.
    "ejan/demo.py",
    # JMA's XML vocabulary (掛川市, 震度速報, 訓練, 取消, 震度５弱以上未入電 …): values matched in telegrams.
    "ejan/intake/jma.py",
    # Words matched in residents' mail subjects to pick a damage category; never shown.
    "ejan/intake/subjects.py",
}


def _districts() -> set[str]:
    from ejan.members.models import DISTRICTS

    return set(DISTRICTS)


# (file, string): why it may stay as it is.
ALLOWED = {
    # The site's name is a msgid, marked with N_ in ejan/i18n.py and translated by i18n.site_name();
    # config.py stays free of Flask.
    ("ejan/config.py", "e-じゃん掛川"),
    # The sender's display name in mail headers: one operator setting (EJAN_MAIL_FROM), like a signature.
    ("ejan/config.py", "e-じゃん掛川 <noreply@e-jan.kakegawa.example>"),
    # Each language is named in itself on the switcher, so a reader lost in the wrong one finds theirs.
    ("ejan/i18n.py", "日本語"),
    ("ejan/i18n.py", "やさしい日本語"),
    # Developer-facing CLI: its help line and the default nickname of the city's first administrator
    # account (data, stored as typed).
    ("ejan/cli.py", "e-じゃん掛川 administration."),
    ("ejan/cli.py", "掛川市役所"),
    # Endings residents type into their own nicknames (「しげさん」): matched against stored names, never shown.
    *(("ejan/text.py", ending) for ending in ("さん", "様", "さま", "ちゃん", "くん", "君", "氏")),
} | {
    # The city's districts are stored values and proper names; the page shows them as stored.
    ("ejan/members/models.py", name) for name in _districts()
}



def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _translated(tree: ast.AST) -> set[int]:
    """String constants that are themselves an argument of a gettext call."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in GETTEXT:
                ids.update(id(arg) for arg in node.args if isinstance(arg, ast.Constant))
    return ids


def untranslated(source: str, path: str = "<source>") -> list[tuple[int, str]]:
    """(line, text) of every Japanese string constant outside gettext, docstrings and the allow-list."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _translated(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if JAPANESE.search(node.value) and (path, node.value) not in ALLOWED:
                found.append((node.lineno, node.value))
    return sorted(found)


def python_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", [p for p in python_files() if p not in ALLOWED_FILES])
def test_no_untranslated_japanese_in_python(path):
    found = untranslated((ROOT / path).read_text(encoding="utf-8"), path)
    assert found == [], f"{path}: wrap these in _() / lazy_gettext(), or allow them here with a reason: {found}"


def test_the_scanner_finds_a_flash_message_outside_gettext():
    source = '''
"""モジュールの説明は読まれない。"""
from flask import flash
from flask_babel import gettext as _, lazy_gettext as _l

LABEL = _l("ニックネーム")


def view():
    """関数の説明も。"""
    # コメントも。
    flash(_("保存しました。"))
    flash("削除しました。")
    flash(f"{1}件を削除しました。")
    raise ValueError("、。")
'''
    assert [text for _line, text in untranslated(source)] == ["削除しました。", "件を削除しました。"]


def test_the_scanner_does_not_let_an_argument_inside_gettext_format_values_through():
    source = 'from flask_babel import gettext as _\nmessage = _("%(who)s さん", who="ゲスト")\n'
    assert untranslated(source) == [(2, "ゲスト")]
