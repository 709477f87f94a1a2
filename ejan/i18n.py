"""Which language a page speaks: the four languages, Flask-Babel, and how a request picks one.

Japanese is the source language: every msgid is Japanese, so `ja` needs no catalogue and a string
missing from a catalogue shows in Japanese. The other three have catalogues under
`ejan/translations/<code>/LC_MESSAGES/messages.po`.

Easy Japanese (やさしい日本語) is `ja@easy`, a locale *modifier* in the gettext/glibc sense (like
`sr@latin`). Babel keeps the modifier (`Locale.parse("ja@easy")` is not `ja`), and gettext looks up
`ja@easy` before `ja`; the obvious-looking alternatives are silently folded into plain Japanese by
Babel (`ja_Hira` parses as `ja`, `ja_JP_YASASHII` as `ja_JP`) or refused (`ja_EZ`).
tests/test_i18n.py holds both facts down.

The choice, first that applies:
1. the member's profile (`Member.language`, set on the profile page or with the footer switcher);
2. the `lang` query parameter: what a cookieless keitai carries in every link, the way it carries
   its session id (see url_defaults below);
3. the language cookie, set by the footer switcher;
4. the browser's Accept-Language;
5. Japanese.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

DEFAULT = "ja"
PARAM = "lang"
COOKIE = "ejan_lang"
COOKIE_DAYS = 365


@dataclass(frozen=True)
class Language:
    code: str  # the Babel locale and the catalogue's folder name
    name: str  # in the language itself: a reader who cannot read the page can still find theirs
    html_lang: str  # BCP 47, for <html lang>
    accept: tuple[str, ...] = ()  # Accept-Language primary tags that mean this language


LANGUAGES = (
    Language("ja", "日本語", "ja", ("ja",)),
    # Never chosen by Accept-Language: browsers have no tag for it, and plain `ja` must stay plain.
    Language("ja@easy", "やさしい日本語", "ja"),
    # Written for Kakegawa's Brazilian residents; one catalogue for every Portuguese browser.
    Language("pt", "Português", "pt", ("pt",)),
    Language("en", "English", "en", ("en",)),
)
CODES = tuple(language.code for language in LANGUAGES)
_BY_CODE = {language.code: language for language in LANGUAGES}
_BY_TAG = {tag: language.code for language in LANGUAGES for tag in language.accept}

babel = Babel()


def valid(code: str | None) -> str | None:
    """The code if it names one of our languages, else None (never trust a cookie or a URL)."""
    return code if code in _BY_CODE else None


def current() -> Language:
    """The language of this request (Japanese outside a request)."""
    locale = get_locale()
    return _BY_CODE.get(str(locale), _BY_CODE[DEFAULT]) if locale is not None else _BY_CODE[DEFAULT]


def from_accept_language() -> str | None:
    """The first accepted language we have, by quality; `ja-JP,en;q=0.5` is Japanese.

    Werkzeug's best_match prefers any exact match over a better-quality prefix match, which would
    answer that header in English.
    """
    for value, quality in request.accept_languages:
        if quality <= 0:
            continue
        code = _BY_TAG.get(value.replace("_", "-").split("-")[0].lower())
        if code:
            return code
    return None


def carried() -> str | None:
    """The language a cookieless keitai carries in its links (None when it has a cookie for it)."""
    if request.device.is_keitai and COOKIE not in request.cookies:
        return valid(request.args.get(PARAM))
    return None


def profile_language() -> str | None:
    if current_user and current_user.is_authenticated:
        return valid(getattr(current_user, "language", None))
    return None


def select_locale() -> str:
    if not has_request_context():  # a Celery task or CLI: mail sets its own with force_locale
        return DEFAULT
    return (
        profile_language()
        or valid(request.args.get(PARAM))
        or valid(request.cookies.get(COOKIE))
        or from_accept_language()
        or DEFAULT
    )


def remember(response, code: str):
    """The switcher's cookie, for browsers that keep cookies."""
    response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.url_defaults
    def carry_language(endpoint: str, values: dict) -> None:
        if endpoint != "static" and has_request_context():
            code = carried()
            if code:
                values.setdefault(PARAM, code)

    @app.context_processor
    def language_context() -> dict:
        return {"languages": LANGUAGES, "language": current()}
