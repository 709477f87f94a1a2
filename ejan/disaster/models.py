"""What disaster mode stores: the event and its log, official notices, damage reports, safety check-ins.

Everything posted during an event carries its event_id, so an event ends as an archive (reports,
notices, the log) and a drill's data is removed with the drill.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member

KINDS = ("earthquake", "flood", "typhoon", "landslide", "other")

# Damage report categories, in the order the form lists them.
REPORT_CATEGORIES = ("building", "flooding", "landslide", "road", "fire", "power", "water", "shelter", "other")
UNVERIFIED, VERIFIED, RESOLVED, HIDDEN = "unverified", "verified", "resolved", "hidden"
REPORT_STATUSES = (UNVERIFIED, VERIFIED, RESOLVED, HIDDEN)

# Safety check-in (安否): the five statuses, and who may see one.
SAFE, INJURED, HOME, SHELTER, RESCUE = "safe", "injured", "home", "shelter", "rescue"
CHECKIN_STATUSES = (SAFE, INJURED, HOME, SHELTER, RESCUE)
SEE_FRIENDS, SEE_COMMUNITIES, SEE_STAFF = "friends", "communities", "staff"
CHECKIN_VISIBILITIES = (SEE_FRIENDS, SEE_COMMUNITIES, SEE_STAFF)


class DisasterEvent(db.Model):
    """One disaster (or drill, 訓練) from its start to its end; afterwards an archive for admins."""

    __tablename__ = "disaster_events"
    __table_args__ = (Index("ix_disaster_events_started", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    districts: Mapped[list] = mapped_column(JSON, default=list)  # names from members.models.DISTRICTS
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    # Started by a JMA telegram (intake) rather than a person: shown "unconfirmed" until an admin confirms.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    # True while the event is active, NULL once it ended. The unique constraint lets many NULLs but one
    # True, so two admins (or a telegram and an admin) pressing start at once give one active event.
    live: Mapped[bool | None] = mapped_column(Boolean, unique=True)
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True)  # e.g. a JMA EventID
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))  # an automatic start called off
    # Safety check-ins are deleted once this has passed (set when the event ends, from the retention setting).
    checkins_expire_at: Mapped[datetime | None] = mapped_column(DateTime)

    started_by: Mapped[Member | None] = relationship(foreign_keys=[started_by_id])
    confirmed_by: Mapped[Member | None] = relationship(foreign_keys=[confirmed_by_id])
    ended_by: Mapped[Member | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def confirmed(self) -> bool:
        return not self.automatic or self.confirmed_at is not None


class DisasterNotice(db.Model):
    """公式のお知らせ: one official notice, its words in each language given (Japanese always)."""

    __tablename__ = "disaster_notices"
    __table_args__ = (
        Index("ix_disaster_notices_event_posted", "event_id", "posted_at"),
        UniqueConstraint("event_id", "submit_token", name="uq_disaster_notices_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"))
    texts: Mapped[dict] = mapped_column(JSON)  # {language: {"title": ..., "body": ...}}; "ja" always
    posted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    submit_token: Mapped[str | None] = mapped_column(String(40))
    broadcast_at: Mapped[datetime | None] = mapped_column(DateTime)  # handed to notify
    broadcast_count: Mapped[int] = mapped_column(Integer, default=0)

    def text_in(self, language: str) -> dict:
        """The notice in the reader's language, else Japanese."""
        chosen = self.texts.get(language) or {}
        return chosen if chosen.get("title") and chosen.get("body") else self.texts["ja"]


class DisasterLogEntry(db.Model):
    """Who did what, when, to an event (start, confirm, update, notice, cancel, end, purge)."""

    __tablename__ = "disaster_log"
    __table_args__ = (Index("ix_disaster_log_event_at", "event_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))  # None: a telegram, the site
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Member | None] = relationship()


class DamageReport(db.Model):
    """まちかどレポート: a resident's report of damage, with a place and perhaps a photo."""

    __tablename__ = "damage_reports"
    __table_args__ = (
        Index("ix_damage_reports_event_created", "event_id", "created_at"),
        Index("ix_damage_reports_event_status_created", "event_id", "status", "created_at"),
        UniqueConstraint("author_id", "submit_token", name="uq_damage_reports_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    category: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    image_key: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default=UNVERIFIED)
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    triaged_at: Mapped[datetime | None] = mapped_column(DateTime)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    author: Mapped[Member] = relationship(foreign_keys=[author_id])


class SafetyCheckIn(db.Model):
    """安否: one person's status in one event, posted by the member themselves or for a family member.

    `person` is empty for the member's own check-in and holds the name of a family member who is not
    a member otherwise; one row per (event, member, person), updated when they check in again."""

    __tablename__ = "safety_checkins"
    __table_args__ = (
        UniqueConstraint("event_id", "member_id", "person", name="uq_safety_checkins_person"),
        Index("ix_safety_checkins_event_status", "event_id", "status"),
        Index("ix_safety_checkins_event_district", "event_id", "district"),
        Index("ix_safety_checkins_event_updated", "event_id", "updated_at"),  # disaster/told.py: what changed
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(10))
    shelter_id: Mapped[int | None] = mapped_column(Integer)  # a maps shelter pin; no FK across features
    comment: Mapped[str] = mapped_column(String(100), default="")
    visibility: Mapped[str] = mapped_column(String(12), default=SEE_FRIENDS)
    district: Mapped[str | None] = mapped_column(String(20))  # the member's district when checking in
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[Member] = relationship()
