"""A few seconds of a page kept in front of Flask, for pages that are the same for every logged-out reader.

On the city's worst day thousands of residents open the same page at once (the disaster screen).
Caching its HTML inside the app still runs every request through all of Flask: each feature's
before/after hooks, the session, Babel, Talisman, the log line. This WSGI middleware answers a
repeated request with the exact response stored a moment ago (status, headers with the security
headers, body) without entering Flask at all.

Nothing is kept unless the app asks for it: a view calls `keep(seconds)` for a response that
depends only on what `page_key` reads from the request. `page_key` covers everything the site uses
to choose a page's form: the method (GET only), host, scheme, path and query string, the device as
ejan/mobile classifies the User-Agent (template set, encoding, cookie support), Accept-Language and
the language and view cookies (ejan/i18n, ejan/mobile). A request with any other cookie (a session,
Flask-Login's remember cookie, the keitai probe), an Authorization header or a session id in its
URL (a cookieless keitai's `ejs`) is never answered from here, and its response is never kept.

A kept response must be the same for anyone with its key, so the middleware also refuses to keep
one that sets a cookie, is not a 200, or has its CSP nonce in its body (an inline script bound to
this response); a replayed response gets a fresh nonce in its Content-Security-Policy, so no nonce
is ever known in advance. The store is a dict per process, bounded in entries and bytes, oldest
first out. Every answer from here still leaves its log line and counts in the metrics (ejan/ops),
with the endpoint of the response it replays. Any error on the way falls through to the app: the
cache may cost a render, never an error page.
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

ENVIRON_KEY = "ejan.microcache"  # set by keep(): (seconds, endpoint)
MAX_ENTRIES = 256
MAX_BYTES = 8 * 1024 * 1024
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")

now = time.monotonic  # tests move the clock


class Kept(NamedTuple):
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    nonce: str | None  # the CSP nonce in the headers, replaced on every replay
    endpoint: str | None
    expires: float


def keep(seconds: int) -> None:
    """Ask the middleware to keep this request's response for `seconds` (if the request and response allow)."""
    if has_request_context():
        request.environ[ENVIRON_KEY] = (seconds, request.endpoint)


def clear(app: Flask | None = None) -> None:
    """Forget everything this process keeps (an event started or ended: show the change at once here)."""
    if app is None and not has_app_context():
        return
    cache = (app or current_app).extensions.get("ejan.microcache")
    if cache is not None:
        cache.clear()


def page_key(config) -> Callable[[dict], Hashable | None]:
    """The key of a request's page as the site chooses it, or None when it may be personal."""
    from . import i18n
    from .mobile.detect import detect
    from .mobile.render import VIEW_COOKIE

    varying = (i18n.COOKIE, VIEW_COOKIE)  # they choose the language and the template set: part of the key
    session_param = config["EJAN_SESSION_PARAM"]

    def key(environ: dict) -> Hashable | None:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        query = environ.get("QUERY_STRING", "")
        if query and any(name == session_param for name, _ in parse_qsl(query, keep_blank_values=True)):
            return None
        raw_cookies = environ.get("HTTP_COOKIE")
        cookies = ()
        if raw_cookies:
            jar = parse_cookie(raw_cookies)
            if any(name not in varying for name in jar):
                return None  # a session, a remember cookie, the keitai probe: the page may be someone's
            cookies = tuple(jar.get(name) for name in varying)
        return (environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("HTTP_X_FORWARDED_HOST"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                query, detect(environ.get("HTTP_USER_AGENT")), environ.get("HTTP_ACCEPT_LANGUAGE"), cookies)

    return key


def record_with_ops(environ: dict, status: int, endpoint: str | None, seconds: float) -> None:
    """The log line and metrics of ejan/ops for an answer that never entered Flask."""
    from .ops import logs, metrics

    method = environ.get("REQUEST_METHOD", "GET")
    metrics.observe_request(endpoint, method, status, seconds)
    logs.log_request(method=method, path=environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                     query=environ.get("QUERY_STRING", ""), status=status, seconds=seconds, endpoint=endpoint,
                     member_id=None)


class MicroCache:
    def __init__(self, app, key: Callable[[dict], Hashable | None],
                 record: Callable[[dict, int, str | None, float], None] | None = None,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.app = app
        self.key = key
        self.record = record
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._kept: dict[Hashable, Kept] = {}
        self._bytes = 0
        self._lock = Lock()  # gunicorn's threaded workers share one store

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            key = self.key(environ)
            kept = self._fresh(key) if key is not None else None
            if kept is not None:
                headers = _with_nonce(kept.headers, kept.nonce)
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
            self._store(key, answered.get("status"), answered.get("headers") or [], data, wanted)
        except Exception:
            log.warning("micro-cache store failed", exc_info=True)
        return [data]

    def _store(self, key, status: str | None, headers: list[tuple[str, str]], body: bytes, wanted) -> None:
        seconds, endpoint = wanted
        if not status or not status.startswith("200 ") or len(body) > self.max_bytes // 8:
            return
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return
        nonce = None
        for name, value in headers:
            if name.lower() == "content-security-policy":
                found = _NONCE.search(value)
                if found:
                    nonce = found.group(1)
        if nonce and nonce.encode() in body:
            return  # an inline script carries this response's nonce: it cannot be replayed with another
        kept = Kept(status, list(headers), body, nonce, endpoint, now() + seconds)
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._make_room(len(body))
            self._kept[key] = kept
            self._bytes += len(body)

    def _make_room(self, size: int) -> None:
        moment = now()
        if len(self._kept) >= self.max_entries or self._bytes + size > self.max_bytes:
            for stale in [k for k, v in self._kept.items() if v.expires <= moment]:
                self._bytes -= len(self._kept.pop(stale).body)
        while self._kept and (len(self._kept) >= self.max_entries or self._bytes + size > self.max_bytes):
            self._bytes -= len(self._kept.pop(next(iter(self._kept))).body)  # the oldest stored first

    def _fresh(self, key) -> Kept | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept.expires <= now():
            with self._lock:
                if self._kept.get(key) is kept:
                    del self._kept[key]
                    self._bytes -= len(kept.body)
            return None
        return kept

    def _record(self, environ, kept: Kept, started: float) -> None:
        if self.record is None:
            return
        try:
            self.record(environ, int(kept.status[:3]), kept.endpoint, time.perf_counter() - started)
        except Exception:
            log.warning("micro-cache hit not recorded", exc_info=True)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)


def _with_nonce(headers: Iterable[tuple[str, str]], nonce: str | None) -> list[tuple[str, str]]:
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
    return cache
