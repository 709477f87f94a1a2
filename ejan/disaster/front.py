"""A crowd of members opening the disaster screen, answered in front of Flask.

On the city's worst day most residents open the screen once or twice, each for the first time in a while:
what a member's first load costs is what the surge costs. Through Flask that is every hook, the session and
Flask-Login, Jinja for the whole page, and about ten milliseconds. Yet a member's screen is the page every
member sees with two values of their own in it: their safety counts and own check-ins (the 安否 part), and
their id in two menu links (it holds no form, so no CSRF token: its logout is a link to the logout page). So
when Flask renders a member's screen (screen._framed) it cuts the page at those values into a frame
(ejan/frames.py), kept SCREEN_SECONDS per event, host, path, device, template set and language; this
middleware answers the next members from it: their session's row and member and their own rows in one
statement (_statement), their counts from those rows and the city's lists the Flask path uses
(checkins.screen_counts), their 安否 part from the same template (screen.personal_html), their id. It writes
nothing, sets no cookie, and keeps the security headers Flask sent with the frame (with a fresh CSP nonce).

It answers only what it can answer exactly as Flask would; everything else goes on to Flask untouched: any
method but GET, a query string, no session cookie or a light (logged-out) one, a session Flask would change
(a successor to follow, a new token due: sessions.as_is), flashed messages, a member who is not active
or is an admin, a page with no fresh frame. Flask-Login's "basic" session protection would only mark a
session from another address as not fresh; a request answered here leaves that to the member's next request
through Flask, and marks nothing. Any error here falls through to Flask: it may cost a render, never an
error page.
"""
from __future__ import annotations

import functools
import logging
import time
from threading import Lock
from typing import Callable, Hashable

from flask import Flask, current_app, has_app_context, request
from flask_babel import force_locale
from psycopg.rows import namedtuple_row
from sqlalchemy import Integer, String, bindparam, create_engine, select, union_all
from werkzeug.http import parse_cookie

from .. import frames, i18n, microcache, sessions
from ..dbutil import constant
from ..extensions import db
from ..members import access
from ..members.models import ROLE_ADMIN
from ..mobile.detect import detect
from ..mobile.render import VIEW_COOKIE, set_for
from . import checkins

log = logging.getLogger(__name__)

PERSONAL, MEMBER = "personal", "member"  # a frame's holes
PATHS = ("/", "/disaster/")  # where the screen is: the front page while an event is on, and its own address
WHERE = "ejan.disaster.where"  # environ: where a request's page would be kept, set here for screen.py
WISH = "ejan.disaster.frame"  # environ: (key, frame) from screen.py, kept here with the final headers
EXTENSION = "ejan.disaster.front"
SUMMARY_SECONDS = 1  # how long an answer may use the summary the last one got


def frame_key(event_id: int) -> Hashable | None:
    """The key this request's screen is kept under (only for requests this middleware has looked at)."""
    where = request.environ.get(WHERE)
    return None if where is None else (event_id, where, i18n.current().code)


def keep(key: Hashable, body: bytes, holes: dict[str, bytes], context: dict, seconds: float) -> frames.Frame:
    """The frame of the member's screen Flask has just rendered. It is kept under `key` once the response is
    final (its security headers are added after the view), unless it cannot be shared: not a 200, or an
    inline script bound to its CSP nonce."""
    frame = frames.Frame(frames.cut(body, holes), "", (), None, request.endpoint, context, frames.now() + seconds)
    request.environ[WISH] = key, frame
    return frame


def clear(app: Flask | None = None) -> None:
    """Forget this process's frames (an event started, changed or ended)."""
    if app is None and not has_app_context():
        return
    store = (app or current_app).extensions.get(EXTENSION)
    if store is not None:
        store.frames.clear()
        store.summary_held = None


class Front:
    """`summary` is the active event's summary (events.active_summary), `personal` renders a member's own part
    (screen.personal_html), `seconds` how long the browser may keep what this answers: handed in by screen.py,
    so this module imports neither."""

    def __init__(self, app: Flask, wsgi_app, *, summary: Callable[[], dict | None], personal: Callable[..., str],
                 seconds: float):
        self.app = app
        self.wsgi_app = wsgi_app
        self.summary, self.personal, self.seconds = summary, personal, seconds
        self.summary_held: tuple[float, dict | None] | None = None
        self.frames = frames.Frames()
        self.cookie = app.config["EJAN_SESSION_COOKIE"]
        self._engine = None
        self._engine_lock = Lock()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            answer = self._answer(environ)
        except Exception:
            log.warning("disaster screen in front of Flask failed", exc_info=True)
            answer = None
        if answer is None:
            return self.wsgi_app(environ, self._keeping(environ, start_response))
        kept, headers = answer
        start_response(kept.status, headers)
        microcache.record_with_ops(environ, kept, time.perf_counter() - started)
        return [kept.body]

    def _summary(self) -> dict | None:
        """The active event's summary, asked of the cache at most every SUMMARY_SECONDS: from Redis a round trip,
        from the in-process cache an unpickling, on every answer. A frame is never used past its event anyway
        (its key holds the event), and this process forgets both when it changes the event (clear)."""
        held, moment = self.summary_held, frames.now()
        if held is None or held[0] <= moment:
            held = self.summary_held = moment + SUMMARY_SECONDS, self.summary()
        return held[1]

    def _keeping(self, environ, start_response):
        """start_response, keeping the frame the app rendered (if any) with the headers it sends."""
        def capture(status, headers, exc_info=None):
            wish = environ.pop(WISH, None)
            if wish is not None:
                try:
                    self._keep(*wish, status, headers)
                except Exception:
                    log.warning("disaster screen frame not kept", exc_info=True)
            return start_response(status, headers, exc_info)
        return capture

    def _keep(self, key: Hashable, frame: frames.Frame, status: str, headers: list[tuple[str, str]]) -> None:
        nonce = microcache.nonce_in(headers)
        if not status.startswith("200 ") or nonce and any(
                isinstance(part, bytes) and nonce.encode() in part for part in frame.parts):
            return
        kept = tuple((name, value) for name, value in headers if name.lower() not in ("set-cookie", "content-length"))
        self.frames.put(key, frame._replace(status=status, headers=kept, nonce=nonce))

    def _answer(self, environ):
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING") \
                or "HTTP_AUTHORIZATION" in environ or environ.get("PATH_INFO") not in PATHS:
            return None
        jar = parse_cookie(environ.get("HTTP_COOKIE", ""))
        token = jar.get(self.cookie)
        if not token:
            return None
        device = detect(environ.get("HTTP_USER_AGENT"))
        chosen_set = set_for(device, jar.get(VIEW_COOKIE))
        environ[WHERE] = (environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_PROTO"),
                          environ.get("SCRIPT_NAME", ""), environ["PATH_INFO"], device, chosen_set)
        if not self.frames:
            return None
        with self.app.app_context():
            return self._fill(environ, jar, token, device, chosen_set)

    def _fill(self, environ, jar, token, device, chosen_set):
        summary = self._summary()
        if not summary or not sessions.storable(token):
            return None
        rows = _rows(self.engine, {**sessions.as_is_parameters(token), "event": summary["id"]})
        stored = sessions.as_is(self.app, next((row for row in rows if row.kind == "s"), None))
        if stored is None or stored.member_id is None or stored.status != access.STATUS_ACTIVE \
                or stored.role == ROLE_ADMIN:
            return None
        data, member_id = stored.data, stored.member_id
        if data.get("_flashes") or data.get("_user_id") != str(member_id):
            return None
        language = i18n.choose(stored.language, jar.get(i18n.COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE"))
        frame = self.frames.fresh((summary["id"], environ[WHERE], language))
        if frame is None:
            return None
        own = checkins.screen_counts(summary["id"], checkins.Circle.from_rows(member_id, rows))
        with force_locale(language):
            personal = self.personal(own, chosen_set, frame.context["checkin_url"])
        body = frame.fill({PERSONAL: personal.encode(device.encoding, "ejan-geta"), MEMBER: str(member_id).encode()})
        headers = [*microcache.with_nonce(frame.headers, frame.nonce), ("Content-Length", str(len(body)))]
        # The micro-cache in front keeps it for this browser's reloads, as it does the page Flask renders.
        environ[microcache.ENVIRON_KEY] = microcache.Wish(self.seconds, frame.endpoint, member_id)
        return microcache.Kept(frame.status, headers, body, frame.nonce, frame.endpoint, frame.expires,
                               member_id), headers

    @property
    def engine(self):
        """The front's own connections: autocommit, no ping on checkout and nothing to roll back on return, for
        one read per answer (the app's pool pings, then BEGINs and ROLLBACKs around it: three round trips
        more). A connection that died makes its answer fail, which Flask then gives, and the pool drops it.
        Made in the worker that first needs it (never before a fork)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                                 pool_size=1, max_overflow=4, pool_reset_on_return=None)
        return self._engine


@functools.cache
def _statement():
    """The session's row and member (sessions.as_is_columns) and the member's circle (checkins.circle_branches)
    in one statement: one round trip per answer."""
    columns = sessions.as_is_columns()
    head = sessions.as_is_where(select(constant("s").label("kind"), columns[0], columns[1],
                                       constant(None, String).label("person"), *columns[2:]))
    more = [constant(None, column.type) for column in columns[2:]]
    branches = checkins.circle_branches(sessions.member_of_token(), bindparam("event", type_=Integer), *more)
    return union_all(head, *branches)


def _rows(engine, parameters: dict) -> list:
    """_statement's rows. On PostgreSQL as SQL compiled once, sent on the driver's own cursor: SQLAlchemy's
    execution (its context, result and rows) cost a first load more Python than PostgreSQL spends answering.
    The statement is still told to the engine's before_cursor_execute listeners, as SQLAlchemy would tell
    them (without its connection and context), so whoever counts statements (the tests, bench/) counts it.
    SQLite's text datetimes need SQLAlchemy's conversion, so there it runs as usual."""
    if engine.dialect.driver != "psycopg":
        with engine.connect() as conn:
            return conn.execute(_statement(), parameters).all()
    sql, fixed = _compiled(engine.dialect)
    parameters = {**fixed, **parameters}
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor(row_factory=namedtuple_row) as cursor:
            for listener in engine.dispatch.before_cursor_execute:
                listener(None, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            return cursor.fetchall()
    except Exception:
        raw.invalidate()  # whatever state it is in, the pool makes a new one
        raise
    finally:
        raw.close()


@functools.cache
def _compiled(dialect) -> tuple[str, dict]:
    """_statement as the dialect's SQL with its fixed parameters (the per-answer ones given placeholders)."""
    compiled = _statement().params(token_hash="", now=None, event=0).compile(
        dialect=dialect, compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def install(app: Flask, **how) -> Front:
    """Put the disaster screen's front in front of the app (once); `how`: Front's keywords."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = Front(app, app.wsgi_app, **how)
        app.wsgi_app = found
        app.extensions[EXTENSION] = found
    return found
