"""Credentials that travel in URLs, taken out of every line before it is logged.

Two kinds of URL carry a credential: a cookieless keitai's session id in the `ejs` query parameter
(config EJAN_SESSION_PARAM), and routes with a `<token>` in their path (the private diary feed,
an invitation, a password reset). Anyone who reads a log line holding one can act as the member.
`scrub()` replaces the value with "-" wherever it appears (a request line, a Referer, a traceback),
also percent-encoded (a `next=` parameter holding a whole URL) or with a percent-encoded name.

The app adds its own names at start-up (`register`), so a new `<token>` route is scrubbed without
being listed here; the defaults keep gunicorn's access log clean even before the app is loaded.
Free of Flask: gunicorn's logger class and Celery's log filter use it too.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_plus

HIDDEN = "-"

_params: set[str] = {"ejs"}
_path_prefixes: set[str] = {"/diary/feed/", "/join/", "/password/reset/"}
_pattern: re.Pattern | None = None


def register(params=(), path_prefixes=()) -> None:
    """Add query parameter names and path prefixes whose value (the next path segment) is a credential."""
    global _pattern
    _params.update(p.lower() for p in params if p)
    _path_prefixes.update(p for p in path_prefixes if p and p != "/")
    _pattern = None


def secret_params() -> frozenset[str]:
    return frozenset(_params)


def secret_path_prefixes() -> frozenset[str]:
    return frozenset(_path_prefixes)


def _compiled() -> re.Pattern:
    global _pattern
    if _pattern is None:
        names = "|".join(re.escape(p) for p in sorted(_params))
        prefixes = "|".join(re.escape(p) for p in sorted(_path_prefixes, key=len, reverse=True))
        # A parameter starts a query or follows a separator, plain or percent-encoded once or twice.
        param = (rf"(?P<p>(?:^|(?<=[?&;\s\"'/])|(?<=%3f)|(?<=%26)|(?<=%253f)|(?<=%2526))"
                 rf"(?:{names})(?:=|%3d|%253d))[^&;\s\"'#<>]*")
        path = rf"(?P<q>{prefixes})[^/?#&;\s\"'<>]+"
        _pattern = re.compile(f"{param}|{path}", re.IGNORECASE)
    return _pattern


def _replace(match: re.Match) -> str:
    return (match.group("p") or match.group("q")) + HIDDEN


def _decoded(text: str) -> str:
    for _ in range(3):  # %2526 -> %26 -> &
        decoded = unquote_plus(text)
        if decoded == text:
            break
        text = decoded
    return text


def scrub(text: str | None) -> str | None:
    """The text with every credential value replaced by "-"."""
    if not text:
        return text
    pattern = _compiled()
    cleaned = pattern.sub(_replace, text)
    if "%" in cleaned or "+" in cleaned:
        # A name or value hidden behind percent-encoding (`%65js=`) is found in the decoded text;
        # then the decoded text, scrubbed, is what gets logged.
        decoded = _decoded(cleaned)
        if pattern.search(decoded) and pattern.sub(_replace, decoded) != decoded:
            return pattern.sub(_replace, decoded)
    return cleaned


def is_clean(text: str) -> bool:
    return scrub(text) == text
