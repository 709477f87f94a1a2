"""Friend requests, friendships (one row per direction, so 'friends of X' is one index range) and introductions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member


class FriendRequest(db.Model):
    __tablename__ = "friend_requests"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", name="uq_friend_requests_pair"),
        Index("ix_friend_requests_to", "to_id", "created_at"),
        # One request per pair of members, whichever asked: two members asking each other at the same
        # moment cannot both wait; the second learns of the first and accepts it (friends/services.py).
        # The sum and the distance of two ids name the pair in either order, in plain arithmetic that
        # SQLite and PostgreSQL index alike (LEAST/GREATEST are PostgreSQL's only).
        Index("uq_friend_requests_either_way", text("(from_id + to_id)"), text("abs(from_id - to_id)"), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    to_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    from_member: Mapped[Member] = relationship(foreign_keys=[from_id])
    to_member: Mapped[Member] = relationship(foreign_keys=[to_id])


class Friendship(db.Model):
    __tablename__ = "friendships"
    __table_args__ = (Index("ix_friendships_friend", "friend_id"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    friend_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    friend: Mapped[Member] = relationship(foreign_keys=[friend_id])


class Introduction(db.Model):
    """紹介文: what a friend writes about a member, shown on that member's profile."""

    __tablename__ = "introductions"
    __table_args__ = (UniqueConstraint("about_id", "author_id", name="uq_introductions_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    about_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[Member] = relationship(foreign_keys=[author_id])
