"""In-app notifications: what happened, who did it, where to look."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
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
