"""Communities, who belongs to them and in which role, their topics with comments, and their events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, func, text, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..i18n import N_
from ..members.models import Member

# Stored as these Japanese words; N_ puts them into the catalogues, and pages show them through gettext.
CATEGORIES = (N_("地域"), N_("趣味"), N_("子育て"), N_("スポーツ"), N_("防災"), N_("行政"), N_("学校・PTA"), N_("グルメ"),
              N_("その他"))

OPEN = "open"
APPROVAL = "approval"
JOIN_POLICIES = (OPEN, APPROVAL)

SITE = "site"  # topics readable by every logged-in member
MEMBERS_ONLY = "members"
TOPIC_VISIBILITIES = (SITE, MEMBERS_ONLY)

OWNER = "owner"
MODERATOR = "moderator"
MEMBER = "member"
PENDING = "pending"  # asked to join an approval community
BANNED = "banned"  # may not rejoin
JOINED = (OWNER, MODERATOR, MEMBER)
RUNNERS = (OWNER, MODERATOR)

GOING = "going"
NOT_GOING = "not_going"


class Community(db.Model):
    __tablename__ = "communities"
    __table_args__ = (
        Index("ix_communities_members", "member_count", "id"),
        Index("ix_communities_activity", "last_activity_at", "id"),
        Index("ix_communities_category_members", "category", "member_count"),
        # Names are unique regardless of case ("Tea" and "tea" are one name), even when opened at once.
        Index("uq_communities_name_lower", func.lower(text("name")), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    image_key: Mapped[str | None] = mapped_column(String(32))
    join_policy: Mapped[str] = mapped_column(String(10), default=OPEN)
    topic_visibility: Mapped[str] = mapped_column(String(10), default=SITE)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # Kept on the row so the list can sort 5,000 communities by size and activity with an index.
    # Joined members whose account works (suspended ones are not counted); counts.py keeps it.
    member_count: Mapped[int] = mapped_column(Integer, default=1)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[Member] = relationship()


class Membership(db.Model):
    """One row per member and community: the primary key makes a second join impossible."""

    __tablename__ = "community_memberships"
    __table_args__ = (
        Index("ix_community_memberships_member", "member_id", "role"),
        Index("ix_community_memberships_role", "community_id", "role", "created_at"),
        # One owner per community, whatever two hand-overs at the same moment try.
        Index("uq_community_memberships_owner", "community_id", unique=True,
              postgresql_where=text("role = 'owner'"), sqlite_where=text("role = 'owner'")),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")  # with a join request
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()


class Topic(db.Model):
    __tablename__ = "community_topics"
    __table_args__ = (
        Index("ix_community_topics_listing", "community_id", "pinned", "last_comment_at"),
        UniqueConstraint("author_id", "submit_token", name="uq_community_topics_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_comment_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    author: Mapped[Member] = relationship()


class TopicComment(db.Model):
    __tablename__ = "community_topic_comments"
    __table_args__ = (
        Index("ix_community_topic_comments_topic", "topic_id", "created_at"),
        UniqueConstraint("author_id", "submit_token", name="uq_community_topic_comments_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("community_topics.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    body: Mapped[str] = mapped_column(Text)
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[Member] = relationship()
    topic: Mapped[Topic] = relationship()


class TopicFollow(db.Model):
    """A participant who asked to hear about new comments in the topic."""

    __tablename__ = "community_topic_follows"

    topic_id: Mapped[int] = mapped_column(ForeignKey("community_topics.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)


class Event(db.Model):
    __tablename__ = "community_events"
    __table_args__ = (
        Index("ix_community_events_community_starts", "community_id", "starts_at"),
        Index("ix_community_events_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC like every stored time
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    author: Mapped[Member] = relationship()


class Attendance(db.Model):
    __tablename__ = "community_event_attendance"

    event_id: Mapped[int] = mapped_column(ForeignKey("community_events.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))

    member: Mapped[Member] = relationship()
