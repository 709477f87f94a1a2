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
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import flask_babel
from flask import Flask, current_app, has_request_context, request, url_for
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, gettext
from flask_login import current_user

from .extensions import babel

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

def N_(message: str) -> str:
    """Marks a message for the catalogues (pybabel -k N_) where it cannot be translated yet."""
    return message


# EJAN_SITE_NAME is a msgid: config.py stays free of Flask, so its catalogue entry is marked here.
N_("e-じゃん掛川")


def site_name() -> str:
    """The site's name in the reader's language (e-jan Kakegawa where Japanese script is no help)."""
    return gettext(current_app.config["EJAN_SITE_NAME"])


def valid(code: str | None) -> str | None:
    """The code if it names one of our languages, else None (never trust a cookie or a URL)."""
    return code if code in _BY_CODE else None


def current() -> Language:
    """The language of this request (Japanese outside a request)."""
    locale = get_locale()
    return _BY_CODE.get(str(locale), _BY_CODE[DEFAULT]) if locale is not None else _BY_CODE[DEFAULT]


def from_accept_language(accepted) -> str | None:
    """The first accepted language we have, by quality; `ja-JP,en;q=0.5` is Japanese. `accepted` is a
    parsed Accept-Language.

    Werkzeug's best_match prefers any exact match over a better-quality prefix match, which would
    answer that header in English.
    """
    for value, quality in accepted:
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
        or choose(None, request.cookies.get(COOKIE), request.accept_languages)
    )


def choose(profile: str | None, cookie: str | None, accept_language) -> str:
    """The choice of a request with no `lang` parameter, from plain values (select_locale's, and code in front
    of Flask's, ejan/disaster/front.py, which has no request object). `accept_language` is the header as
    sent, or as Werkzeug parsed it."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    if accept_language is None or isinstance(accept_language, str):
        accept_language = parse_accept_header(accept_language, LanguageAccept)
    return valid(profile) or valid(cookie) or from_accept_language(accept_language) or DEFAULT


def remember(response, code: str):
    """The switcher's cookie, for browsers that keep cookies."""
    response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def with_language(path: str, code: str) -> str:
    """A local path that asks for `code` (any language it asked for before taken out)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAM]
    query.append((PARAM, code))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def return_path() -> str | None:
    """Where the switcher sends the reader back to: this page, if it can be fetched again."""
    rule = request.url_rule
    if request.method != "GET" and (rule is None or "GET" not in (rule.methods or ())):
        return None  # a POST-only page: home instead
    drop = (PARAM, current_app.config["EJAN_SESSION_PARAM"])
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in drop]
    return request.path + (f"?{urlencode(query)}" if query else "")


def switch_links() -> list[tuple[Language, str | None]]:
    """The footer's switcher: each language with its link (None for the one being read)."""
    here, back = current(), return_path()
    return [(language, None if language == here else url_for("site.language", code=language.code, next=back))
            for language in LANGUAGES]


def _babel_context():
    """Flask-Babel's per-context namespace (`g._flask_babel`), read without going through `g`'s proxy.

    Flask-Babel looks it up several times for every word it translates (the domain, the locale, the
    translations), each lookup three proxy accesses: on a page of 40 words that was a tenth of the
    CPU of rendering it. Same namespace, same lifetime (the app context's `g`), found directly."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    namespace = ctx.g.__dict__.get("_flask_babel")
    if namespace is None:
        namespace = ctx.g._flask_babel = SimpleNamespace()
    return namespace


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Every Flask-Babel function (gettext, get_locale, force_locale, refresh) finds its context here.
    flask_babel._get_current_context = _babel_context

    @app.url_defaults
    def carry_language(endpoint: str, values: dict) -> None:
        # Runs for every link of every page: PCs and smartphones leave after one context lookup.
        ctx = _cv_request.get(None)
        if ctx is None or endpoint == "static" or not ctx.request.device.is_keitai:
            return
        code = carried()
        if code:
            values.setdefault(PARAM, code)

    @app.context_processor
    def language_context() -> dict:
        if not has_request_context():  # mail rendered by a Celery worker
            return {"language": current(), "site_name": site_name()}
        return {"language": current(), "language_links": switch_links, "site_name": site_name()}
