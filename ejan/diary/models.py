"""Diary entries with their photos and comments, footprints, and each member's diary settings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member
from ..search_grams import Grams

MEMBERS = "members"  # every logged-in member
FRIENDS = "friends"
PRIVATE = "private"  # only the author
VISIBILITIES = (MEMBERS, FRIENDS, PRIVATE)


class DiaryEntry(db.Model):
    __tablename__ = "diary_entries"
    __table_args__ = (
        Index("ix_diary_entries_author_created", "author_id", "created_at"),
        Index("ix_diary_entries_visibility_created", "visibility", "created_at"),
        # Search results come newest first over every visibility: for a common word the planner walks
        # this backwards and stops at a page instead of sorting half the city's diaries.
        Index("ix_diary_entries_created", "created_at", "id"),
        # Everyone's feed in its own order, only over the entries written for every member.
        Index("ix_diary_entries_site_feed", "created_at", "id", postgresql_where=text("visibility = 'members'"),
              sqlite_where=text("visibility = 'members'")),
        # A double submit carries the same form token: the second insert is refused.
        UniqueConstraint("author_id", "submit_token", name="uq_diary_entries_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10))
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The characters and pairs of title and body, for search (ejan/search_grams.py); PostgreSQL only.
    search_grams: Mapped[list[int] | None] = mapped_column(Grams(), deferred=True)

    author: Mapped[Member] = relationship()
    photos: Mapped[list[DiaryPhoto]] = relationship(
        order_by="DiaryPhoto.position", cascade="all, delete-orphan", back_populates="entry"
    )


class DiaryPhoto(db.Model):
    __tablename__ = "diary_photos"
    __table_args__ = (UniqueConstraint("entry_id", "position", name="uq_diary_photos_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    image_key: Mapped[str] = mapped_column(String(32))

    entry: Mapped[DiaryEntry] = relationship(back_populates="photos")


class DiaryComment(db.Model):
    __tablename__ = "diary_comments"
    __table_args__ = (
        Index("ix_diary_comments_entry_created", "entry_id", "created_at"),
        UniqueConstraint("author_id", "submit_token", name="uq_diary_comments_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    body: Mapped[str] = mapped_column(Text)
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[Member] = relationship()
    entry: Mapped[DiaryEntry] = relationship()


class DiaryFollow(db.Model):
    """A commenter who asked to hear about later comments on the entry."""

    __tablename__ = "diary_follows"

    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)


class Footprint(db.Model):
    """あしあと: one per visitor per day on a member's pages."""

    __tablename__ = "footprints"
    __table_args__ = (
        UniqueConstraint("owner_id", "visitor_id", "day", name="uq_footprints_daily"),
        Index("ix_footprints_owner_visited", "owner_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date] = mapped_column(Date)
    visited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    visitor: Mapped[Member] = relationship(foreign_keys=[visitor_id])


class DiarySettings(db.Model):
    """A member's default visibility and private Atom feed key (the generation revokes old feed URLs)."""

    __tablename__ = "diary_settings"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    default_visibility: Mapped[str] = mapped_column(String(10), default=MEMBERS)
    feed_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_generation: Mapped[int] = mapped_column(Integer, default=0)
