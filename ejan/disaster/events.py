"""The switch: starting, confirming, updating and ending a disaster event (or drill), and its notices.

Called by the admin's views and by the JMA telegram intake (which passes by=None and automatic=True).
Only one event is active at a time: DisasterEvent.live is unique, so two starts at the same moment
leave one event and the other caller gets EventActive. Every change is written to the event's log.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Mapping

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import i18n, microcache, signals
from ..caching import forget, remembered
from ..clock import utcnow
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members.models import DISTRICTS, Member
from . import front
from .models import KINDS, DisasterEvent, DisasterLogEntry, DisasterNotice

SUMMARY_KEY = "disaster:active"
# How long "is an event on?" is kept in the cache. Every change here forgets it at once, so with a
# shared cache (Redis, as in production) every worker knows at once; with the embedded per-process
# cache another worker may lag this long. Long enough that the banner costs no SQL on almost every page.
SUMMARY_SECONDS = 30


class EventActive(Invalid):
    """Another event is already active; `event` is that one."""

    def __init__(self, event: DisasterEvent | None):
        super().__init__(_("別の災害モードが実行中です。先に終了してください。"), code="active")
        self.event = event


# --- reading ----------------------------------------------------------------------------------------------

def active_event() -> DisasterEvent | None:
    return db.session.scalar(select(DisasterEvent).where(DisasterEvent.live.is_(True)))


def active_summary() -> dict | None:
    """What every page's banner needs about the active event, from the cache (one query per SUMMARY_SECONDS).

    Plain values only, so it can live in Redis: {"id", "title", "drill", "confirmed"}."""
    def compute():
        event = active_event()
        # The cache keeps no None: "no event" is stored as an empty dict.
        return {} if event is None else {"id": event.id, "title": event.title, "drill": event.drill,
                                         "confirmed": event.confirmed}
    return remembered(SUMMARY_KEY, SUMMARY_SECONDS, compute) or None


def event_for(event_id: int) -> DisasterEvent:
    event = db.session.get(DisasterEvent, event_id)
    if event is None:
        raise NotFound()
    return event


def _changed() -> None:
    forget(SUMMARY_KEY)
    microcache.clear()  # this worker shows the change at once; the others within the screen's few seconds
    front.clear()


# --- the rules -----------------------------------------------------------------------------------------------

def _require_admin(by: Member | None) -> None:
    """by=None is the site itself (a JMA telegram); a person must be an admin."""
    if by is not None and not (by.is_authenticated and getattr(by, "is_admin", False) and not by.is_suspended):
        raise Forbidden(_("災害モードを操作できるのは管理者だけです。"))


def _clean_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise Invalid(_("タイトルを入力してください。"), code="title")
    if len(title) > 100:
        raise Invalid(_("タイトルは100文字以内で入力してください。"), code="title")
    return title


def _clean_kind(kind) -> str:
    if kind not in KINDS:
        raise Invalid(_("災害の種類を選んでください。"), code="kind")
    return kind


def _clean_districts(districts: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(districts or ()))
    if any(d not in DISTRICTS for d in chosen):
        raise Invalid(_("地区を一覧から選んでください。"), code="districts")
    return chosen


def clean_notice_texts(texts: Mapping | None) -> dict:
    """{language: {"title", "body"}} with Japanese required; other languages kept when both are given."""
    texts = texts or {}
    cleaned = {}
    for code in i18n.CODES:
        given = texts.get(code) or {}
        title = (given.get("title") or "").strip()
        body = (given.get("body") or "").strip()
        if code == i18n.DEFAULT and not (title and body):
            raise Invalid(_("お知らせの日本語のタイトルと本文を入力してください。"), code="notice")
        if title or body:
            if not (title and body):
                raise Invalid(_("お知らせはタイトルと本文の両方を入力してください。"), code=f"notice_{code}")
            if len(title) > 100 or len(body) > 4000:
                raise Invalid(_("お知らせのタイトルは100文字、本文は4000文字までです。"), code=f"notice_{code}")
            cleaned[code] = {"title": title, "body": body}
    return cleaned


def _log(event: DisasterEvent, action: str, by: Member | None, detail: str = "") -> None:
    db.session.add(DisasterLogEntry(event_id=event.id, action=action, actor_id=by.id if by else None,
                                    detail=detail[:2000]))
    if by is not None:  # a telegram's doing stays in the event's own log; an admin's also in the audit log
        signals.admin_acted.send(by, action=f"disaster.{action}", target_kind="disaster_event", target_id=event.id,
                                 detail=detail or event.title)


# --- the switch ----------------------------------------------------------------------------------------------

def start_event(title, kind, districts, notice_texts, *, by: Member | None = None, drill: bool = False,
                automatic: bool = False, source_ref: str | None = None) -> DisasterEvent:
    """Switch disaster mode on (or a drill), post its first notice and broadcast it.

    A telegram (by=None) must say automatic=True; its source_ref makes a repeated telegram return
    the event it already started instead of a second one."""
    _require_admin(by)
    if by is None and not automatic:
        raise Forbidden(_("災害モードを操作できるのは管理者だけです。"))
    if source_ref is not None:
        earlier = db.session.scalar(select(DisasterEvent).where(DisasterEvent.source_ref == source_ref))
        if earlier is not None:
            return earlier
    problems = Problems()
    title = problems.check(_clean_title, title)
    kind = problems.check(_clean_kind, kind)
    districts = problems.check(_clean_districts, districts)
    texts = problems.check(clean_notice_texts, notice_texts)
    problems.raise_any()
    if active_event() is not None:
        raise EventActive(active_event())
    event = DisasterEvent(title=title, kind=kind, districts=districts, drill=bool(drill), automatic=bool(automatic),
                          live=True, source_ref=source_ref, started_by_id=by.id if by else None,
                          started_at=utcnow())
    db.session.add(event)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        current = active_event()
        if source_ref is not None and current is not None and current.source_ref == source_ref:
            return current  # the same telegram, handled twice at once
        raise EventActive(current) from None
    _log(event, "start", by, "drill" if drill else ("automatic" if automatic else ""))
    notice = _add_notice(event, texts, by)
    db.session.commit()
    _changed()
    broadcast(notice)
    return event


def update_event(event: DisasterEvent, *, by: Member | None = None, title=None, kind=None,
                 districts=None) -> DisasterEvent:
    """Change an active event's title, kind or districts (an admin's edit, or a later telegram)."""
    _require_admin(by)
    if not event.is_active:
        raise Invalid(_("終了した災害は変更できません。"))
    problems = Problems()
    changes = {}
    if title is not None:
        changes["title"] = problems.check(_clean_title, title)
    if kind is not None:
        changes["kind"] = problems.check(_clean_kind, kind)
    if districts is not None:
        changes["districts"] = problems.check(_clean_districts, districts)
    problems.raise_any()
    for name, value in changes.items():
        setattr(event, name, value)
    _log(event, "update", by, ", ".join(sorted(changes)))
    db.session.commit()
    _changed()
    return event


def confirm_event(admin: Member, event: DisasterEvent) -> DisasterEvent:
    """An admin confirms an event a telegram started: it no longer reads "automatic, unconfirmed"."""
    _require_admin(admin)
    if admin is None:
        raise Forbidden()
    if not event.is_active:
        raise Invalid(_("終了した災害は変更できません。"))
    done = db.session.execute(
        update(DisasterEvent).where(DisasterEvent.id == event.id, DisasterEvent.confirmed_at.is_(None))
        .values(confirmed_at=utcnow(), confirmed_by_id=admin.id)).rowcount
    if done:
        _log(event, "confirm", admin)
    db.session.commit()
    db.session.refresh(event)
    _changed()
    return event


def cancel_automatic(event: DisasterEvent, reason: str) -> bool:
    """A cancellation telegram: ends an automatic event nobody has confirmed. An event an admin has
    confirmed stays on (the admin decides); the cancellation is logged either way. True if it ended."""
    reason = (reason or "").strip()[:200]
    if not (event.automatic and event.confirmed_at is None):
        _log(event, "cancel_refused", None, reason)
        db.session.commit()
        return False
    ended = _end(event, None, cancel_reason=reason)
    if ended:
        _log(event, "cancel", None, reason)
    db.session.commit()
    _changed()
    return ended


def end_event(admin: Member, event: DisasterEvent) -> DisasterEvent:
    """Return the site to normal; the event stays as an archive. Ending twice logs once."""
    _require_admin(admin)
    if admin is None:
        raise Forbidden()
    if _end(event, admin):
        _log(event, "end", admin)
    db.session.commit()
    db.session.refresh(event)
    _changed()
    return event


def _end(event: DisasterEvent, by: Member | None, cancel_reason: str | None = None) -> bool:
    now = utcnow()
    days = current_app.config.get("EJAN_DISASTER_CHECKIN_DAYS", 30)
    return bool(db.session.execute(
        update(DisasterEvent).where(DisasterEvent.id == event.id, DisasterEvent.ended_at.is_(None))
        .values(ended_at=now, ended_by_id=by.id if by else None, live=None, cancel_reason=cancel_reason,
                checkins_expire_at=now + timedelta(days=days))
        .execution_options(synchronize_session=False)).rowcount)


# --- official notices ------------------------------------------------------------------------------------------

def post_notice(event: DisasterEvent, texts: Mapping, *, by: Member | None = None,
                submit_token: str | None = None) -> DisasterNotice:
    """Post an official notice in the event and broadcast it to every member."""
    _require_admin(by)
    if not event.is_active:
        raise Invalid(_("終了した災害にはお知らせを出せません。"))
    if submit_token:
        earlier = db.session.scalar(select(DisasterNotice).where(DisasterNotice.event_id == event.id,
                                                                 DisasterNotice.submit_token == submit_token))
        if earlier is not None:
            return earlier
    notice = _add_notice(event, clean_notice_texts(texts), by, submit_token)
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once
        db.session.rollback()
        return db.session.scalar(select(DisasterNotice).where(DisasterNotice.event_id == event.id,
                                                              DisasterNotice.submit_token == submit_token))
    broadcast(notice)
    return notice


def _add_notice(event, texts, by, submit_token=None) -> DisasterNotice:
    notice = DisasterNotice(event_id=event.id, texts=texts, posted_by_id=by.id if by else None,
                            submit_token=submit_token, posted_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    _log(event, "notice", by, texts[i18n.DEFAULT]["title"])
    return notice


def broadcast(notice: DisasterNotice) -> None:
    """Every active member hears of the notice, in-app and by mail, in their own language."""
    from ..notify.api import Audience, notify

    from ..urls import absolute_url, link_for

    event = db.session.get(DisasterEvent, notice.event_id)
    ja = notice.texts[i18n.DEFAULT]
    notify(Audience(everyone=True), "disaster_broadcast", {
        "subject": (_("【訓練】") if event.drill else "") + ja["title"],
        "link": link_for("disaster.index"),
        "mail": "disaster_broadcast",
        "texts": notice.texts,
        "drill": event.drill,
        "context": {"texts": notice.texts, "drill": event.drill, "url": absolute_url("disaster.index")},
    })
    db.session.execute(update(DisasterNotice).where(DisasterNotice.id == notice.id)
                       .values(broadcast_at=utcnow()))
    db.session.commit()
