"""In-app notifications (what happened, who did it, where to look), members' choices of how to hear of
things, and the broadcasts and per-channel deliveries that carry them out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_member_created", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(40))  # _shared/words.html puts it into words
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    subject: Mapped[str] = mapped_column(String(100), default="")  # e.g. the entry's title, as it was then
    link: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id])


class Preference(db.Model):
    """A member's choice for one kind on one channel (kinds.MODES); no row: the kind's default."""
    __tablename__ = "notification_preferences"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class KeitaiConfirmation(db.Model):
    """The keitai address a member registered, and whether the mailed link has been opened from it.

    Keitai mail goes only to a confirmed address that is still the member's `keitai_email`."""
    __tablename__ = "keitai_confirmations"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)


class MailBounce(db.Model):
    """Hard bounces of one address; from EJAN_BOUNCE_LIMIT on (stopped_at set) no more mail goes to it."""
    __tablename__ = "mail_bounces"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_reason: Mapped[str] = mapped_column(String(255), default="")
    last_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime)


class Broadcast(db.Model):
    """One notify() call: its kind, payload and audience. Its deliveries are fanned out in batches."""
    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_audience_created", "is_audience", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    audience: Mapped[dict | None] = mapped_column(JSON)  # Audience's fields, or None for member_ids
    member_ids: Mapped[list | None] = mapped_column(JSON)
    is_audience: Mapped[bool] = mapped_column(Boolean, default=False)  # the admin's progress list shows these
    queue: Mapped[str | None] = mapped_column(String(40))  # None: Celery's default queue
    batches: Mapped[int] = mapped_column(Integer, default=0)  # how many the fan-out queued
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Delivery(db.Model):
    """One member reached on one channel by one broadcast: the idempotency key of sending.

    A batch writes these rows once (the unique constraint stops a second copy), then sends what is
    queued, claiming rows so two copies of one batch never send the same row at once. The row's id
    fixes the mail's Message-ID, so a resend after a crash is recognisably the same message.
    status: queued → sending → sent | failed; digest (waits for the daily digest); skipped (no mail
    goes to that address any more, `error` says why).
    """
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "member_id", "channel", name="uq_deliveries_once"),
        Index("ix_deliveries_broadcast_status", "broadcast_id", "status"),
        Index("ix_deliveries_status_member", "status", "member_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    error: Mapped[str] = mapped_column(String(255), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class WorkerHeartbeat(db.Model):
    """The last time each Celery worker ran the periodic heartbeat task."""
    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime)
