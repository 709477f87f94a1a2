"""Building our own URLs: paths to store, absolute addresses to mail.

A path stored in the database (a notification's link) or mailed must never carry the keitai session
id of the request that made it, and a mailed address starts with the public EJAN_BASE_URL, which a
Celery worker knows as well as a web request does.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for

from . import i18n


def link_for(endpoint: str, **values) -> str:
    """A path to store or mail: never carries the current keitai session id."""
    if not has_request_context():  # a Celery task or a CLI command: build from the URL map alone
        return current_app.url_map.bind("localhost").build(endpoint, values)
    values[current_app.config["EJAN_SESSION_PARAM"]] = None
    values[i18n.PARAM] = None  # the reader's language is theirs, not the writer's
    return url_for(endpoint, **values)


def absolute_url(endpoint: str, **values) -> str:
    """The public address of a page, for mail and anything else read outside the site."""
    return current_app.config["EJAN_BASE_URL"].rstrip("/") + link_for(endpoint, **values)


MAX_PAGE = 100_000  # beyond any real list; keeps OFFSET inside the database's integer


def page_number(name: str = "page") -> int:
    """The `page` query parameter (or another, such as a survey's `step`) as a page of a list: 1 for
    anything that is not a sensible number."""
    return min(MAX_PAGE, max(1, request.args.get(name, 1, type=int)))


def page_after() -> str | None:
    """The key a keyset "次へ" link carries (ejan/pagination.py); the list checks it."""
    return request.args.get("after") or None


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: an open redirect after login is a phishing tool.

    Browsers read a backslash as a slash, so "/\\host" means "//host"; any control character or space
    could split a header or hide a host, and an unparsable address is simply not ours.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) <= 32 or ord(c) == 127 for c in target) or len(target) > 2000:
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    return None if parts.scheme or parts.netloc else target


def web_address(url: str | None) -> str | None:
    """`url` if it is a plain http(s) address another site could serve, else None (for the jump page)."""
    if not url or len(url) > 2000 or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port that is not a number
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def init_app(app: Flask) -> None:
    app.add_template_global(absolute_url)
