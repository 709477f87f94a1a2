"""Server-side sessions, bound to how they were issued.

Sessions live in the database, keyed by the hash of a random token. A session is issued either in
the session cookie, or, for keitai browsers without cookies (i-mode browser 1.0), in every URL
(the `ejs` parameter), and it is accepted only the way it was issued:

- a cookie session only from the cookie;
- a URL session only from the URL, only from a keitai, and only from the User-Agent it was issued
  to; it gets a new token more often than a cookie session, because URLs leak (Referer, history,
  a phone shown to a friend).

A phone that turns out to keep cookies (it sends back the probe cookie) moves from its URL session
to a cookie session with a new token. Every session gets a new token now and then; the old token
keeps working for a short grace, leading to the new one, so pages already open and requests in
flight do not log anyone out. A fresh token is also issued at login and logout, so a leaked URL
can neither fix nor steal a session.

An anonymous visitor with nothing to keep but the CSRF secret gets no database row at all: the
token is signed and the CSRF secret is derived from it (a "light" session), so crawlers and
cookieless phones browsing the welcome pages do not fill the table.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Flask, request, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import DateTime, bindparam, Integer, String, Text, delete, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import CallbackDict

from .clock import utcnow
from .extensions import db
from .security import cookies_secure

COOKIE, URL = "cookie", "url"
PROBE_COOKIE = "ejan_cookies"  # set beside URL sessions: a phone that returns it keeps cookies
_EPHEMERAL = {"csrf_token", "_fresh"}  # what an anonymous page view puts in a session; not worth a row
_LIGHT = re.compile(r"a([cu])\.([A-Za-z0-9_-]{43})\.([0-9a-f]{32})")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class WebSession(db.Model):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    member_id: Mapped[int | None] = mapped_column(Integer, index=True)
    agent_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    transport: Mapped[str] = mapped_column(String(6), default=COOKIE)  # how the token was issued: cookie / url
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    # Once the token is rotated: the new token, sealed with the old one (only its holder can open it).
    successor: Mapped[str | None] = mapped_column(String(128))


class DbSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None, token: str, new: bool, transport: str, *, light: bool = False):
        def on_update(_):
            self.modified = True
            if self.light and _keepable(self):
                # Something worth keeping: from now on a random token with a row (links built later carry it).
                self.light = False
                self.token = secrets.token_urlsafe(32)

        super().__init__(initial or {}, on_update)
        self.token = token
        self.new = new
        self.transport = transport
        self.light = light
        self.light_in_url = False  # a light session shown in the links of a phone that sent no cookie
        self.modified = False
        self.replaced_token: str | None = None  # dies when the response is saved
        self.retiring_token: str | None = None  # rotated: works for a short grace, leading here
        self.member = None  # the member read with a stored session's row (see _row)
        self.unneeded = False  # see issue_none()

    @property
    def in_url(self) -> bool:
        if self.unneeded and self.light:
            return False
        return self.transport == URL or (self.light and self.light_in_url)

    def regenerate(self, transport: str | None = None) -> None:
        """Give this session a new token; the old one stops working when the response is saved."""
        if not self.new and self.replaced_token is None:
            self.replaced_token = self.retiring_token or self.token
        self.retiring_token = None
        self.token = secrets.token_urlsafe(32)
        self.transport = transport or self.transport
        self.light = False
        self.modified = True

    def rotate(self) -> None:
        """A new token for a session in use; the old one leads here for a short grace."""
        self.retiring_token = self.token
        self.token = secrets.token_urlsafe(32)
        self.modified = True


def _keepable(data) -> bool:
    return any(key not in _EPHEMERAL for key in data) or bool(data.get("_fresh"))


class DbSessionInterface(SessionInterface):
    def open_session(self, app: Flask, req) -> DbSession:
        for token, transport in self._incoming_tokens(app, req):
            sess = self._light(app, req, token, transport) or self._stored(app, req, token, transport)
            if sess is not None:
                return sess
        # Never adopt a token the client chose: an unknown token gets a brand new one.
        cookieless = self._cookieless_keitai(app, req)
        # A phone said to keep cookies gets a cookie session, its links carrying the light token as well
        # until the cookie comes back; if it never does, the phone goes on with a URL session.
        transport = URL if cookieless and not req.device.cookies else COOKIE
        return _new_light(app, req, transport, secrets.token_urlsafe(32), in_url=cookieless)

    def _incoming_tokens(self, app: Flask, req) -> list[tuple[str, str]]:
        tokens = []
        cookie = req.cookies.get(app.config["EJAN_SESSION_COOKIE"])
        if cookie:
            tokens.append((cookie, COOKIE))
        in_url = req.args.get(app.config["EJAN_SESSION_PARAM"])
        if in_url and req.device.is_keitai:
            tokens.append((in_url, URL))
        return tokens

    def _cookieless_keitai(self, app: Flask, req) -> bool:
        return req.device.is_keitai and not (
            app.config["EJAN_SESSION_COOKIE"] in req.cookies or PROBE_COOKIE in req.cookies)

    def _light(self, app: Flask, req, token: str, transport: str) -> DbSession | None:
        match = _LIGHT.fullmatch(token)
        if not match:
            return None
        issued, nonce = {"c": COOKIE, "u": URL}[match.group(1)], match.group(2)
        # A light session holds nothing, so it may change transport; a cookie only ever carries a cookie one.
        if (transport == COOKIE and issued != COOKIE) or not hmac.compare_digest(
                match.group(3), _light_mac(app, req, issued, nonce)):
            return None
        cookieless = self._cookieless_keitai(app, req)
        if transport == URL and not cookieless:
            transport = COOKIE  # the phone sent one of our cookies back: it keeps them
        return _new_light(app, req, transport, nonce, in_url=cookieless)

    def _stored(self, app: Flask, req, token: str, transport: str) -> DbSession | None:
        row = self._row(token)
        if row is not None and row.successor:
            token = _unseal(row.successor, token)  # rotated a moment ago: continue on the new token
            row = self._row(token)
            if row is not None and row.successor:
                row = None
        if row is None or row.transport != transport:
            return None
        # Checked whichever way a URL session arrives: it belongs to the phone it was issued to.
        if row.transport == URL and (not req.device.is_keitai or row.agent_hash != _agent_hash(req)):
            return None
        sess = DbSession(json.loads(row.data), token, new=False, transport=transport)
        sess.member = row.Member  # the identity map holds objects weakly: this keeps it there for the request
        if transport == URL and PROBE_COOKIE in req.cookies:
            sess.regenerate(COOKIE)  # this phone keeps cookies: off the URLs, with a token never shown in one
        elif _new_token_due(app, row.issued_at, transport):
            sess.rotate()
        return sess

    def _row(self, token: str):
        row = db.session.execute(_row_statement(), {"token_hash": _hash(token), "now": utcnow()}).first()
        # The view goes on in this same transaction and connection (READ COMMITTED: each statement
        # sees what is committed when it runs), so a page checks out and pings one connection, not two.
        return row

    def save_session(self, app: Flask, sess: DbSession, response) -> None:
        if sess.unneeded and sess.light:
            return  # issue_none(): a new reader's light session was never shown, so it is not sent either
        cookie_name = app.config["EJAN_SESSION_COOKIE"]
        lifetime = timedelta(days=app.config["EJAN_SESSION_DAYS"])
        now = utcnow()
        keep = _keepable(sess) and not sess.light
        # An ordinary page view has nothing to write: no connection, no transaction.
        written = self._write(app, sess, keep, now, lifetime) if _has_writes(sess, keep) else False
        if not keep and not sess.new:
            response.delete_cookie(cookie_name)
        if sess.transport == URL:
            response.set_cookie(PROBE_COOKIE, "1", max_age=365 * 24 * 3600, httponly=True,
                                secure=cookies_secure(), samesite="Lax")
            return
        sent = request.cookies.get(cookie_name)
        if (keep and (written or sent != sess.token)) or (sess.light and sent != sess.token):
            response.set_cookie(cookie_name, sess.token, max_age=int(lifetime.total_seconds()), httponly=True,
                                secure=cookies_secure(), samesite=app.config["SESSION_COOKIE_SAMESITE"])

    def _write(self, app: Flask, sess: DbSession, keep: bool, now: datetime, lifetime: timedelta) -> bool:
        """Store what the response changed; True when the session's own row was written."""
        with db.engine.begin() as conn:
            if sess.replaced_token:
                conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(sess.replaced_token)))
            if sess.retiring_token and keep:
                grace = timedelta(seconds=app.config["EJAN_SESSION_ROTATE_GRACE_SECONDS"])
                conn.execute(update(WebSession).where(WebSession.token_hash == _hash(sess.retiring_token))
                             .values(successor=_seal(sess.token, sess.retiring_token), expires_at=now + grace))
            if not keep:
                if not sess.new:
                    conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(sess.token)))
                    if sess.retiring_token:
                        conn.execute(delete(WebSession).where(
                            WebSession.token_hash == _hash(sess.retiring_token)))
                return False
            if not (sess.modified or sess.new):
                return False
            values = {"data": json.dumps(dict(sess)), "member_id": _member_id(sess), "expires_at": now + lifetime}
            token_hash = _hash(sess.token)
            updated = conn.execute(
                update(WebSession).where(WebSession.token_hash == token_hash).values(**values)).rowcount
            if not updated:
                conn.execute(insert(WebSession).values(
                    token_hash=token_hash, agent_hash=_agent_hash(request), transport=sess.transport,
                    issued_at=now, **values))
            return True


@functools.cache
def _row_statement():
    """The session's row and its member, built once: every request reads it, and a statement built
    anew each time costs more Python than the database takes to answer it."""
    from .members.models import Member

    # The member comes in the same statement: it lands in the ORM's identity map, so Flask-Login's
    # loader (members.services.load_member, db.session.get) finds it there instead of asking again.
    return (select(WebSession.data, WebSession.agent_hash, WebSession.transport, WebSession.issued_at,
                   WebSession.successor, Member)
            .outerjoin(Member, Member.id == WebSession.member_id)
            .where(*_live_token()))


class AsIs(NamedTuple):
    """A stored session that open_session would take as it is, and its member as plain values: for code in
    front of Flask that only reads (ejan/disaster/front.py) and leaves every other case to open_session."""
    data: dict
    member_id: int | None
    status: str | None
    role: str | None
    language: str | None


def storable(token: str | None) -> bool:
    """Could this cookie name a stored session? (A light token never does.)"""
    return bool(token) and not _LIGHT.fullmatch(token)


def as_is_parameters(token: str) -> dict:
    return {"token_hash": _hash(token), "now": utcnow()}


def as_is(app: Flask, row) -> AsIs | None:
    """An AsIs from a row of as_is_columns (as_is_where, as_is_parameters), or None when open_session would
    not take the session as it is: a successor to follow, not a cookie session, a new token due."""
    if row is None or row.successor or row.transport != COOKIE \
            or _new_token_due(app, row.issued_at, COOKIE):
        return None
    return AsIs(json.loads(row.data), row.member_id, row.status, row.role, row.language)


def as_is_columns():
    """The columns as_is reads, the session's and its member's, labelled (for a union's first branch)."""
    from .members.models import Member

    return (Member.id.label("member_id"), Member.status.label("status"), WebSession.data.label("data"),
            WebSession.transport.label("transport"), WebSession.issued_at.label("issued_at"),
            WebSession.successor.label("successor"), Member.role.label("role"), Member.language.label("language"))


def as_is_where(statement):
    """The session of as_is_parameters' token, not expired, and its member, on `statement`."""
    from .members.models import Member

    return (statement.select_from(WebSession).outerjoin(Member, Member.id == WebSession.member_id)
            .where(*_live_token()))


def member_of_token():
    """The member id of as_is_parameters' token's session, as a scalar subquery of a CTE: a statement that asks
    for it in several places finds the session once (as a subquery each, PostgreSQL looked it up in each)."""
    found = select(WebSession.member_id).where(*_live_token()).cte("token_member")
    return select(found.c.member_id).scalar_subquery()


def _live_token() -> tuple:
    """The session whose token hashes to :token_hash, not expired at :now (as_is_parameters)."""
    return WebSession.token_hash == bindparam("token_hash"), WebSession.expires_at > bindparam("now")


def _has_writes(sess: DbSession, keep: bool) -> bool:
    """Does saving this session change any row? (Mirrors the branches of _write.)"""
    if sess.replaced_token or (sess.retiring_token and keep):
        return True
    return (not sess.new) if not keep else (sess.modified or sess.new)


def _new_light(app: Flask, req, transport: str, nonce: str, *, in_url: bool) -> DbSession:
    token = f"a{transport[0]}.{nonce}.{_light_mac(app, req, transport, nonce)}"
    sess = DbSession({"csrf_token": _light_csrf(app, nonce)}, token, new=True, transport=transport, light=True)
    sess.light_in_url = in_url
    return sess


def _secret(app: Flask, purpose: str, value: str) -> str:
    return hmac.new(app.config["SECRET_KEY"].encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _light_mac(app: Flask, req, transport: str, nonce: str) -> str:
    # A URL-carried light token is bound to the User-Agent too, like a stored URL session.
    agent = _agent_hash(req) if transport == URL else ""
    return _secret(app, f"light-session:{transport}:{agent}", nonce)[:32]


def _light_csrf(app: Flask, nonce: str) -> str:
    return _secret(app, "light-csrf", nonce)[:40]


def _seal(new_token: str, old_token: str) -> str:
    pad = hashlib.sha512(f"successor:{old_token}".encode()).digest()
    return bytes(a ^ b for a, b in zip(new_token.encode(), pad)).hex()


def _unseal(sealed: str, old_token: str) -> str:
    pad = hashlib.sha512(f"successor:{old_token}".encode()).digest()
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), pad)).decode("ascii", "replace")


def _new_token_due(app: Flask, issued_at: datetime, transport: str) -> bool:
    return utcnow() - issued_at > _rotate_after(app, transport)


def _rotate_after(app: Flask, transport: str) -> timedelta:
    if transport == URL:
        return timedelta(minutes=app.config["EJAN_SESSION_ROTATE_URL_MINUTES"])
    return timedelta(hours=app.config["EJAN_SESSION_ROTATE_COOKIE_HOURS"])


def _member_id(sess: DbSession) -> int | None:
    value = sess.get("_user_id")
    return int(value) if value else None


def _agent_hash(req) -> str:
    return _hash(req.headers.get("User-Agent", ""))


def issue_none() -> None:
    """The page being built needs no session (nothing personal, no form): a reader who brought none gets
    none, neither a cookie nor a token in the links, so the page is the same for every such reader and a
    cache in front of the app may keep it (ejan/microcache.py). Call it before rendering. A session
    that gets written to after all becomes an ordinary one and is sent as usual."""
    sess = session._get_current_object()
    if isinstance(sess, DbSession) and sess.new and sess.light:
        sess.unneeded = True


def regenerate() -> None:
    """Called at login and logout, so a token seen before cannot ride along afterwards."""
    session.regenerate()


def end_all_for(member_id: int) -> None:
    """Suspension and password changes end every session of the member."""
    db.session.execute(delete(WebSession).where(WebSession.member_id == member_id))


def purge_expired() -> int:
    return db.session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow())).rowcount


def init_app(app: Flask) -> None:
    app.session_interface = DbSessionInterface()
