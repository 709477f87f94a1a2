"""通報 (tsūhō): a member telling the site's administrators that something on it is wrong.

Named 通報 in the UI and in code, so it is never confused with a disaster damage report
(被害報告, DamageReport). One table for every kind of thing that can be reported; the
administration's moderation queue reads it by status and time.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..members.models import Member
from ..sessions import utcnow

# What can be reported: a target is (kind, id). "pin" is reserved for the maps feature.
DIARY_ENTRY = "diary_entry"
DIARY_COMMENT = "diary_comment"
TOPIC = "topic"
TOPIC_COMMENT = "topic_comment"
EVENT = "event"
MEMBER = "member"

# Why: the wording of each reason lives in the templates (reports/_reasons.html).
REASONS = ("spam", "harassment", "personal_info", "inappropriate", "other")

OPEN = "open"
RESOLVED = "resolved"
STATUSES = (OPEN, RESOLVED)

# What a moderator did about it (ejan/reports/moderation.py).
HIDE, DISMISS, WARN, SUSPEND = "hide", "dismiss", "warn", "suspend"
OUTCOMES = (HIDE, DISMISS, WARN, SUSPEND)


class Tsuho(db.Model):
    """通報: one member's report of one thing (a diary entry, comment, topic, event, profile, later a pin).

    One per reporter per target (the unique constraint): a second send is the same 通報."""

    __tablename__ = "tsuho"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_kind", "target_id", name="uq_tsuho_reporter_target"),
        Index("ix_tsuho_status_created", "status", "created_at"),
        Index("ix_tsuho_target", "target_kind", "target_id"),
        Index("ix_tsuho_community_status", "community_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Kept when it is filed, so the queues need no lookup per row: whose thing it is, and in which community.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    community_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(10))  # hide / dismiss / warn / suspend (OUTCOMES)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    reporter: Mapped[Member] = relationship(foreign_keys=[reporter_id])
