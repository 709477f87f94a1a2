"""What intake keeps: every telegram received with what was done about it, and one row per JMA EventID.

Disaster events are referred to by id without a foreign key: intake reads and changes them only
through the disaster feature's services, and a drill's data may be removed with the drill while
the telegram that started it stays in this log.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..clock import utcnow
from ..extensions import db

PENDING = "pending"  # received, not yet decided (a crash in between leaves this, never a lost telegram)


class JmaTelegram(db.Model):
    """One telegram as received, kept whatever it was: the bytes, what was read, the action and reason."""

    __tablename__ = "intake_telegrams"
    __table_args__ = (Index("ix_intake_telegrams_received", "received_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the bytes: one telegram, one row
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(200), default="")  # the file name, or "http <address>"
    size: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))  # as received, for replay
    title: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(10), default="")
    info_type: Mapped[str] = mapped_column(String(10), default="")
    jma_event_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    report_at: Mapped[datetime | None] = mapped_column(DateTime)
    serial: Mapped[str] = mapped_column(String(10), default="")
    intensity: Mapped[str | None] = mapped_column(String(4))  # Kakegawa's
    intensity_place: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10), default=PENDING)
    reason: Mapped[str] = mapped_column(String(300), default="")
    disaster_event_id: Mapped[int | None] = mapped_column(Integer)


class JmaEvent(db.Model):
    """What the site holds for one JMA EventID: the newest telegram read, and the event it started.

    The unique EventID is also the lock: telegrams of one earthquake are decided one at a time."""

    __tablename__ = "intake_jma_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jma_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    latest_report_at: Mapped[datetime | None] = mapped_column(DateTime)
    latest_serial: Mapped[int] = mapped_column(Integer, default=-1)
    disaster_event_id: Mapped[int | None] = mapped_column(Integer)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_digest: Mapped[str | None] = mapped_column(String(64))  # what the last notice said, to post only news
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def latest(self) -> tuple | None:
        return (self.latest_report_at, self.latest_serial) if self.latest_report_at is not None else None
