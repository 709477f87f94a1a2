"""What only the administration stores: the audit log, announcements, and page views and active members per day."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member


class AuditEntry(db.Model):
    """One administrator's act. Written once, never changed: the code has no update or delete path, and
    the database refuses UPDATE and DELETE on the table with a trigger (migration 0015_admin)."""

    __tablename__ = "admin_audit"
    __table_args__ = (
        Index("ix_admin_audit_created", "created_at", "id"),
        Index("ix_admin_audit_actor", "actor_id", "created_at"),
        Index("ix_admin_audit_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    actor_name: Mapped[str] = mapped_column(String(40), default="")  # as the actor was called then
    action: Mapped[str] = mapped_column(String(40))  # "<feature>.<verb>": disaster.start, members.suspend, …
    target_kind: Mapped[str] = mapped_column(String(30), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[Member | None] = relationship(foreign_keys=[actor_id])


class Announcement(db.Model):
    """A site-wide notice on the top page between two moments (PC and keitai), perhaps also sent to everyone."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_period", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    broadcast: Mapped[bool] = mapped_column(Boolean, default=False)
    broadcast_at: Mapped[datetime | None] = mapped_column(DateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    submit_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PageViewDay(db.Model):
    """Page views of one Japan-time day from one class of device (pc / smartphone / keitai).

    Counted in each web process and added here in batches (ejan/admin/pageviews.py), never a write per request."""

    __tablename__ = "page_view_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    device: Mapped[str] = mapped_column(String(12), primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)


class ActiveMonth(db.Model):
    """A member who used the site in a Japan-time month ("YYYY-MM"): one row per member and month, written once."""

    __tablename__ = "active_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    # No foreign key: written in batches after the requests, it must not fail over a member deleted meanwhile.
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)
