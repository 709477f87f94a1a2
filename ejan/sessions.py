"""Server-side sessions.

Sessions live in the database, keyed by the hash of a random token. The token travels in a cookie,
or, for keitai browsers without cookies (i-mode browser 1.0), in every URL. A URL-carried token is
accepted only from a keitai User-Agent, only from the same User-Agent that the session was created
with, and a fresh token is issued at login, so a leaked URL can neither fix nor steal a session.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from flask import Flask, request, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import DateTime, Integer, String, Text, delete, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import CallbackDict

from .clock import utcnow
from .extensions import db


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class WebSession(db.Model):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    member_id: Mapped[int | None] = mapped_column(Integer, index=True)
    agent_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DbSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None, token: str, new: bool):
        def on_update(_):
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.new = new
        self.modified = False
        self.replaced_token: str | None = None

    def regenerate(self) -> None:
        """Give this session a new token; the old one stops working when the response is saved."""
        if not self.new and self.replaced_token is None:
            self.replaced_token = self.token
        self.token = secrets.token_urlsafe(32)
        self.modified = True


class DbSessionInterface(SessionInterface):
    def open_session(self, app: Flask, req) -> DbSession:
        token, from_url = self._incoming_token(app, req)
        if token:
            row = db.session.execute(
                select(WebSession.data, WebSession.agent_hash).where(
                    WebSession.token_hash == _hash(token), WebSession.expires_at > utcnow()
                )
            ).first()
            db.session.rollback()  # release the read so a view starts its own transaction cleanly
            if row and (not from_url or row.agent_hash == _agent_hash(req)):
                return DbSession(json.loads(row.data), token, new=False)
        # Never adopt a token the client chose: an unknown token gets a brand new one.
        return DbSession(None, secrets.token_urlsafe(32), new=True)

    def _incoming_token(self, app: Flask, req) -> tuple[str | None, bool]:
        cookie = req.cookies.get(app.config["EJAN_SESSION_COOKIE"])
        if cookie:
            return cookie, False
        if req.device.is_keitai:
            return req.args.get(app.config["EJAN_SESSION_PARAM"]), True
        return None, False

    def save_session(self, app: Flask, sess: DbSession, response) -> None:
        cookie_name = app.config["EJAN_SESSION_COOKIE"]
        lifetime = timedelta(days=app.config["EJAN_SESSION_DAYS"])
        with db.engine.begin() as conn:
            if sess.replaced_token:
                conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(sess.replaced_token)))
            if not sess:
                if not sess.new:
                    conn.execute(delete(WebSession).where(WebSession.token_hash == _hash(sess.token)))
                    response.delete_cookie(cookie_name)
                return
            if not (sess.modified or sess.new):
                return
            values = {
                "data": json.dumps(dict(sess)),
                "member_id": _member_id(sess),
                "expires_at": utcnow() + lifetime,
            }
            token_hash = _hash(sess.token)
            updated = conn.execute(
                update(WebSession).where(WebSession.token_hash == token_hash).values(**values)
            ).rowcount
            if not updated:
                conn.execute(
                    insert(WebSession).values(token_hash=token_hash, agent_hash=_agent_hash(request), **values)
                )
        response.set_cookie(
            cookie_name,
            sess.token,
            max_age=int(lifetime.total_seconds()),
            httponly=True,
            secure=app.config["SESSION_COOKIE_SECURE"],
            samesite=app.config["SESSION_COOKIE_SAMESITE"],
        )


def _member_id(sess: DbSession) -> int | None:
    value = sess.get("_user_id")
    return int(value) if value else None


def _agent_hash(req) -> str:
    return _hash(req.headers.get("User-Agent", ""))


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
