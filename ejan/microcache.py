"""A few seconds of a page kept in front of Flask: a page the same for every logged-out reader, or a
member's own page replayed to that member's own browser.

On the city's worst day thousands of residents open the same page at once (the disaster screen), and
keep reloading it. Caching its HTML inside the app still runs every request through all of Flask:
each feature's before/after hooks, the session, Babel, Talisman, the log line. This WSGI middleware
answers a repeated request with the exact response stored a moment ago (status, headers with the
security headers, body) without entering Flask at all.

Nothing is kept unless the app asks for it: a view calls `keep(seconds)` for a response that
depends only on what `page_key` reads from the request. `page_key` covers everything the site uses
to choose a page's form: the method (GET only), host, scheme, path and query string, the device as
ejan/mobile classifies the User-Agent (template set, encoding, cookie support), Accept-Language and
the language and view cookies (ejan/i18n, ejan/mobile). A request with an Authorization header or a
session id in its URL (a cookieless keitai's `ejs`) is never answered from here, and its response is
never kept.

A request with any other cookie may be someone's. It is never given a page kept for everyone. Only
when it carries a session cookie may it get a page kept for that browser alone: the view must say so
(`keep(seconds, member_id=...)`, for a member's own page), and the page's key then holds every
cookie the request sent, by value. Another browser, another member, the same browser after logging
in or out (a new session token), or after sending any form (every POST, PUT, PATCH or DELETE from a
browser with a session gets a new WRITE_COOKIE) has another key: a member who has just checked in
sees their check-in at once, whichever worker answered the form. What the member may see for a few
seconds more is what they saw a moment ago, as when a page is left open: a suspension or a logout
elsewhere ends the replays within the page's seconds. Pages kept for one browser have a store of
their own, so a crowd of members never pushes out the pages kept for everyone.

A kept response must be the same for anyone with its key, so the middleware also refuses to keep
one that sets a cookie, is not a 200, or has its CSP nonce in its body (an inline script bound to
this response); a replayed response gets a fresh nonce in its Content-Security-Policy, so no nonce
is ever known in advance. Each store is a dict per process, bounded in entries and bytes, oldest
first out. Every answer from here still leaves its log line and counts in the metrics (ejan/ops),
with the endpoint and the member of the response it replays. Any error on the way falls through to
the app: the cache may cost a render, never an error page.
"""
from __future__ import annotations

import logging
import re
import secrets
import time
from threading import Lock
from typing import Callable, Hashable, Iterable, NamedTuple
from urllib.parse import parse_qsl

from flask import Flask, current_app, has_app_context, has_request_context, request
from werkzeug.http import parse_cookie

log = logging.getLogger(__name__)

ENVIRON_KEY = "ejan.microcache"  # set by keep(): a Wish
WRITE_COOKIE = "ejan_wrote"  # new on every form a browser with a session sends: its kept pages are no more
MAX_ENTRIES = 256
MAX_BYTES = 8 * 1024 * 1024
# Pages kept for one browser each: a surge of members reloading, each page a few KB.
PERSONAL_MAX_ENTRIES = 4096
PERSONAL_MAX_BYTES = 24 * 1024 * 1024
_READS = ("GET", "HEAD", "OPTIONS")
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")

now = time.monotonic  # tests move the clock


class Wish(NamedTuple):
    """What a view asked for its response (keep())."""
    seconds: float
    endpoint: str | None
    member_id: int | None = None  # set: the member's own page, for their browser alone


class Kept(NamedTuple):
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    nonce: str | None  # the CSP nonce in the headers, replaced on every replay
    endpoint: str | None
    expires: float
    member_id: int | None = None


class Personal(tuple):
    """The key of a request that carries a session cookie: it holds every cookie the request sent."""
    __slots__ = ()


def keep(seconds: float, *, member_id: int | None = None) -> None:
    """Ask the middleware to keep this request's response for `seconds` (if the request and response allow).

    Without `member_id` the response must be the same for every reader with its key (no session); with it,
    the response is that member's page, replayed only to the browser that asked for it."""
    if has_request_context():
        request.environ[ENVIRON_KEY] = Wish(seconds, request.endpoint, member_id)


def clear(app: Flask | None = None) -> None:
    """Forget everything this process keeps (an event started or ended: show the change at once here)."""
    if app is None and not has_app_context():
        return
    cache = (app or current_app).extensions.get("ejan.microcache")
    if cache is not None:
        cache.clear()


def forget_member(member_id: int, app: Flask | None = None) -> None:
    """Forget the pages this process keeps for the member's browsers: something on them changed (their own
    check-in). Another process learns it from the form's new WRITE_COOKIE, or when the page's seconds run out."""
    if app is None and not has_app_context():
        return
    cache = (app or current_app).extensions.get("ejan.microcache")
    if cache is not None:
        cache.personal.drop(lambda kept: kept.member_id == member_id)


def page_key(config) -> Callable[[dict], Hashable | None]:
    """The key of a request's page as the site chooses it, or None when it may be personal."""
    from . import i18n
    from .mobile.detect import detect
    from .mobile.render import VIEW_COOKIE

    varying = (i18n.COOKIE, VIEW_COOKIE)  # they choose the language and the template set: part of the key
    session_param = config["EJAN_SESSION_PARAM"]
    session_cookie = config["EJAN_SESSION_COOKIE"]

    def key(environ: dict) -> Hashable | None:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        query = environ.get("QUERY_STRING", "")
        if query and any(name == session_param for name, _ in parse_qsl(query, keep_blank_values=True)):
            return None
        raw_cookies = environ.get("HTTP_COOKIE")
        cookies, personal = (), False
        if raw_cookies:
            jar = parse_cookie(raw_cookies)
            if any(name not in varying for name in jar):
                # A session, a remember cookie, the keitai probe: the page may be someone's. With a session
                # it may be this browser's own page, under a key of every cookie it sent; without, nothing.
                if not jar.get(session_cookie):
                    return None
                cookies, personal = tuple(sorted(jar.items(multi=True))), True
            else:
                cookies = tuple(jar.get(name) for name in varying)
        page = (environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("HTTP_X_FORWARDED_HOST"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                query, detect(environ.get("HTTP_USER_AGENT")), environ.get("HTTP_ACCEPT_LANGUAGE"), cookies)
        return Personal(page) if personal else page

    return key


def record_with_ops(environ: dict, kept: Kept, seconds: float) -> None:
    """The log line and metrics of ejan/ops for an answer that never entered Flask."""
    from .ops import logs, metrics

    method = environ.get("REQUEST_METHOD", "GET")
    status = int(kept.status[:3])
    metrics.observe_request(kept.endpoint, method, status, seconds)
    logs.log_request(method=method, path=environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                     query=environ.get("QUERY_STRING", ""), status=status, seconds=seconds, endpoint=kept.endpoint,
                     member_id=kept.member_id)


class _Store:
    """Kept responses under their keys: bounded in entries and bytes, the oldest stored first out."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.kept: dict[Hashable, Kept] = {}
        self.bytes = 0
        self._lock = Lock()  # gunicorn's threaded workers share one store

    def put(self, key: Hashable, kept: Kept) -> None:
        with self._lock:
            old = self.kept.pop(key, None)
            if old is not None:
                self.bytes -= len(old.body)
            self._make_room(len(kept.body))
            self.kept[key] = kept
            self.bytes += len(kept.body)

    def _make_room(self, size: int) -> None:
        # The oldest stored first out, which with one lifetime for every page (the screen's seconds) is also
        # the first to run out. No scan for the stale: a crowd of members keeps the personal store full, and
        # a scan of its 4,096 pages on every put cost each first load a tenth of a millisecond.
        while self.kept and (len(self.kept) >= self.max_entries or self.bytes + size > self.max_bytes):
            self.bytes -= len(self.kept.pop(next(iter(self.kept))).body)

    def fresh(self, key: Hashable) -> Kept | None:
        kept = self.kept.get(key)
        if kept is None:
            return None
        if kept.expires <= now():
            with self._lock:
                if self.kept.get(key) is kept:
                    del self.kept[key]
                    self.bytes -= len(kept.body)
            return None
        return kept

    def clear(self) -> None:
        with self._lock:
            self.kept.clear()
            self.bytes = 0

    def drop(self, which: Callable[[Kept], bool]) -> None:
        with self._lock:
            for key in [key for key, kept in self.kept.items() if which(kept)]:
                self.bytes -= len(self.kept.pop(key).body)


class MicroCache:
    def __init__(self, app, key: Callable[[dict], Hashable | None],
                 record: Callable[[dict, Kept, float], None] | None = None,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 personal_max_entries: int = PERSONAL_MAX_ENTRIES, personal_max_bytes: int = PERSONAL_MAX_BYTES):
        self.app = app
        self.key = key
        self.record = record
        self.shared = _Store(max_entries, max_bytes)
        self.personal = _Store(personal_max_entries, personal_max_bytes)

    def _store_for(self, key: Hashable) -> _Store:
        return self.personal if isinstance(key, Personal) else self.shared

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            key = self.key(environ)
            kept = self._store_for(key).fresh(key) if key is not None else None
            if kept is not None:
                headers = with_nonce(kept.headers, kept.nonce)
        except Exception:
            log.warning("micro-cache lookup failed", exc_info=True)
            key = kept = None
        if kept is not None:
            start_response(kept.status, headers)
            self._record(environ, kept, started)
            return [kept.body]
        if key is None:
            return self.app(environ, start_response)
        return self._fill(key, environ, start_response)

    def _fill(self, key, environ, start_response):
        answered = {}

        def capture(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        wanted = environ.get(ENVIRON_KEY)
        if not wanted:
            return body
        # From here the response is ours to read whole: a kept page is small and already in memory.
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        try:
            self._store(key, answered.get("status"), answered.get("headers") or [], data, Wish(*wanted))
        except Exception:
            log.warning("micro-cache store failed", exc_info=True)
        return [data]

    def _store(self, key, status: str | None, headers: list[tuple[str, str]], body: bytes, wanted: Wish) -> None:
        if isinstance(key, Personal) != (wanted.member_id is not None):
            return  # a page for everyone asked by a browser with a session, or a member's page without one
        store = self._store_for(key)
        if not status or not status.startswith("200 ") or len(body) > store.max_bytes // 8:
            return
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return
        nonce = nonce_in(headers)
        if nonce and nonce.encode() in body:
            return  # an inline script carries this response's nonce: it cannot be replayed with another
        store.put(key, Kept(status, list(headers), body, nonce, wanted.endpoint, now() + wanted.seconds,
                            wanted.member_id))

    def _record(self, environ, kept: Kept, started: float) -> None:
        if self.record is None:
            return
        try:
            self.record(environ, kept, time.perf_counter() - started)
        except Exception:
            log.warning("micro-cache hit not recorded", exc_info=True)

    def clear(self) -> None:
        self.shared.clear()
        self.personal.clear()

    def __len__(self) -> int:
        return len(self.shared.kept) + len(self.personal.kept)


def nonce_in(headers: Iterable[tuple[str, str]]) -> str | None:
    """The CSP nonce a response's headers carry, if any."""
    for name, value in headers:
        if name.lower() == "content-security-policy":
            found = _NONCE.search(value)
            if found:
                return found.group(1)
    return None


def with_nonce(headers: Iterable[tuple[str, str]], nonce: str | None) -> list[tuple[str, str]]:
    """The headers of a kept response with a fresh CSP nonce in place of `nonce`: none is known in advance."""
    if nonce is None:
        return list(headers)
    fresh = secrets.token_urlsafe(24)
    return [(name, value.replace(f"'nonce-{nonce}'", f"'nonce-{fresh}'")
             if name.lower() == "content-security-policy" else value) for name, value in headers]


def install(app: Flask) -> MicroCache:
    """Put the micro-cache in front of the app (once), logging and counting its answers like Flask's."""
    cache = app.extensions.get("ejan.microcache")
    if cache is None:
        cache = MicroCache(app.wsgi_app, page_key(app.config), record=record_with_ops)
        app.wsgi_app = cache
        app.extensions["ejan.microcache"] = cache
        app.after_request(_mark_write)
    return cache


def _mark_write(response):
    """A browser with a session that sent a form gets a new WRITE_COOKIE: the pages kept for it are not its
    pages any more (their key held the old one), whichever worker kept them."""
    from .security import cookies_secure

    if request.method not in _READS and current_app.config["EJAN_SESSION_COOKIE"] in request.cookies:
        response.set_cookie(WRITE_COOKIE, secrets.token_urlsafe(9), httponly=True, secure=cookies_secure(),
                            samesite="Lax")
    return response
