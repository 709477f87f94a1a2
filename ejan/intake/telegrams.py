"""Receiving a JMA telegram: keep it, read it, decide, act through the disaster feature, record the outcome.

Used by `flask ejan jma-ingest` and by the feed relay's POST; both hand over plain bytes. The same
bytes twice are one telegram (sha256, unique), acted on once. Telegrams of one EventID are decided
one at a time (see _one_at_a_time).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ..clock import to_jst, utcnow
from ..errors import Forbidden
from ..extensions import db
from ..pagination import Page, paginate
from . import decide as decision_rules
from . import disaster_link, jma, notice
from .decide import CANCELLED, DRILL, IGNORED, REFUSED, STARTED, UPDATED, Decision
from .models import PENDING, JmaEvent, JmaTelegram

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    action: str
    reason: str
    telegram_id: int | None = None
    disaster_event_id: int | None = None

    @property
    def line(self) -> str:
        return f"{self.action}: {self.reason}"


def settings() -> dict:
    config = current_app.config
    return {"threshold": config.get("EJAN_JMA_THRESHOLD", decision_rules.DEFAULT_THRESHOLD),
            "drills": bool(config.get("EJAN_JMA_DRILLS", False))}


def receive(data: bytes, source: str = "") -> Outcome:
    """Keep one telegram and act on it; never raises for what the bytes say."""
    data = bytes(data)
    key = jma.digest(data)
    earlier = _by_digest(key)
    if earlier is not None:
        return _repeat(earlier)
    row = JmaTelegram(digest=key, source=source[:200], size=len(data), body=data, action=PENDING,
                      received_at=utcnow())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # the same telegram delivered twice at the same moment
        db.session.rollback()
        return _repeat(_by_digest(key))
    try:
        telegram = jma.read(data)
    except jma.TelegramError as error:
        return _record(row, Decision(REFUSED, str(error)))
    _fill(row, telegram)
    try:
        return _act(row, telegram)
    except Exception as error:  # a telegram must never take the site down; the operator reads why
        db.session.rollback()
        log.exception("telegram %s could not be acted on", row.id)
        row = db.session.get(JmaTelegram, row.id)
        return _record(row, Decision(REFUSED, f"could not act on it: {type(error).__name__}: {error}"[:300]))


def _act(row: JmaTelegram, telegram: jma.Telegram) -> Outcome:
    with _one_at_a_time(telegram.event_id):
        return _decide_and_act(row, telegram, _state(telegram.event_id))


def _decide_and_act(row: JmaTelegram, telegram: jma.Telegram, state: JmaEvent) -> Outcome:
    decision = decision_rules.decide(telegram, known=disaster_link.known(state),
                                     active=disaster_link.active_other(state), **settings())
    event_id = state.disaster_event_id
    if decision.action in (STARTED, DRILL):
        texts = notice.texts_for(telegram, drill=decision.drill)
        try:
            event_id = disaster_link.start(telegram.event_id, notice.event_title(telegram), texts,
                                           drill=decision.drill)
        except disaster_link.Busy as busy:
            decision = Decision(IGNORED, f"{decision.reason}, but event #{busy.event_id} is already active")
        else:
            state.disaster_event_id, state.drill, state.notice_digest = event_id, decision.drill, notice.digest(texts)
    elif decision.action == UPDATED:
        texts = notice.texts_for(telegram, drill=decision.drill)
        news = notice.digest(texts) != state.notice_digest
        disaster_link.update(event_id, notice.event_title(telegram), texts if news else None)
        state.notice_digest = notice.digest(texts)
        if not news:
            decision = Decision(UPDATED, decision.reason + " (nothing new to announce)", drill=decision.drill)
    elif decision.action == CANCELLED:
        if disaster_link.cancel(event_id, decision.reason, notice.correction_texts(telegram)):
            state.cancelled = True
        else:
            decision = Decision(IGNORED, f"{telegram.info_type}: event #{event_id} was confirmed by an admin "
                                         "meanwhile; left running")
    if state.latest is None or telegram.order_key > state.latest:
        state.latest_report_at, state.latest_serial = telegram.order_key
    state.updated_at = utcnow()
    db.session.add(state)
    row.disaster_event_id = event_id
    return _record(row, decision)


@contextmanager
def _one_at_a_time(jma_event_id: str):
    """Telegrams of one earthquake (VXSE51 and VXSE53 arrive seconds apart) are decided one after the other.

    On PostgreSQL a transaction-level advisory lock on the EventID, held on a connection of its own:
    the disaster services commit as they go, which would release a row lock taken in our session.
    SQLite writes one transaction at a time anyway."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as lock, lock.begin():
        lock.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "ejan-jma:" + jma_event_id})
        yield


def _state(jma_event_id: str) -> JmaEvent:
    """The EventID's row, created on first sight."""
    state = db.session.scalar(select(JmaEvent).where(JmaEvent.jma_event_id == jma_event_id))
    if state is None:
        state = JmaEvent(jma_event_id=jma_event_id, updated_at=utcnow())
        db.session.add(state)
        db.session.commit()
    return state


def _fill(row: JmaTelegram, telegram: jma.Telegram) -> None:
    row.title, row.status, row.info_type = telegram.title, telegram.status, telegram.info_type
    row.jma_event_id, row.serial = telegram.event_id[:64], telegram.serial[:10]
    row.report_at = jma.utc(telegram.report_datetime)
    row.intensity, row.intensity_place = telegram.intensity, telegram.intensity_place
    db.session.commit()


def _record(row: JmaTelegram, decision: Decision) -> Outcome:
    row.action, row.reason = decision.action, decision.reason[:300]
    db.session.commit()
    return Outcome(row.action, row.reason, row.id, row.disaster_event_id)


def _by_digest(key: str) -> JmaTelegram | None:
    return db.session.scalar(select(JmaTelegram).where(JmaTelegram.digest == key))


def _repeat(earlier: JmaTelegram) -> Outcome:
    when = to_jst(earlier.received_at).strftime("%Y-%m-%d %H:%M:%S")
    return Outcome(IGNORED, f"the same telegram was already received at {when} JST (#{earlier.id}, "
                            f"{earlier.action})", earlier.id, earlier.disaster_event_id)


# --- the admin's list ------------------------------------------------------------------------------------------

def telegrams_for(viewer, page: int, per_page: int) -> Page:
    """Every telegram received, newest first: only admins see the log."""
    if not (viewer.is_authenticated and viewer.is_admin):
        raise Forbidden()
    stmt = select(JmaTelegram).order_by(JmaTelegram.received_at.desc(), JmaTelegram.id.desc())
    return paginate(stmt, page, per_page)
