"""Members, the invitations that brought them, and the districts of Kakegawa they live in."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db

# 掛川市の地区 (the city's 13 community-centre districts and the two merged towns' areas).
DISTRICTS = (
    "掛川第一", "掛川第二", "掛川第三", "掛川第四", "掛川第五", "掛川第六",
    "西南郷", "東山口", "西山口", "上内田", "曽我", "桜木", "粟本", "西郷", "倉真",
    "東山", "日坂", "原谷", "原田", "和田岡", "佐東", "南郷",
    "大須賀", "大東", "その他・市外",
)

ROLE_MEMBER = "member"
ROLE_ADMIN = "admin"
STATUS_ACTIVE = "active"
STATUS_SUSPENDED = "suspended"
# 退会: the row stays as a tombstone, emptied of everything personal (ejan/leaving, docs/leaving.md), so what
# the member wrote in communities and the invite tree keep their author, shown as 「退会したメンバー」.
STATUS_LEFT = "left"


class Member(UserMixin, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        # The few hundred members who are not active (suspended, left): conditions that ask "is the
        # author active" inside an OR look here instead of hashing every member (access.no_inactive_member).
        Index("ix_members_inactive", "id", postgresql_where=text("status <> 'active'"),
              sqlite_where=text("status <> 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    stored_nickname: Mapped[str] = mapped_column("nickname", String(40))
    intro: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str | None] = mapped_column(String(20))
    photo_key: Mapped[str | None] = mapped_column(String(32))
    keitai_email: Mapped[str | None] = mapped_column(String(254), index=True)  # mail intake finds members by it
    language: Mapped[str | None] = mapped_column(String(10))  # ejan.i18n code; None: as the browser asks
    role: Mapped[str] = mapped_column(String(10), default=ROLE_MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=STATUS_ACTIVE)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)  # 退会: when the member left

    invited_by: Mapped[Member | None] = relationship(remote_side=[id])

    @hybrid_property
    def nickname(self) -> str:
        """The name every page shows: a member who left is 「退会したメンバー」 in the reader's language,
        wherever their name still appears (community topics, the invite tree)."""
        if self.status == STATUS_LEFT:
            return left_member_name()
        return self.stored_nickname

    @nickname.inplace.setter
    def _nickname_setter(self, value: str) -> None:
        self.stored_nickname = value

    @nickname.inplace.expression
    @classmethod
    def _nickname_expression(cls):
        return cls.stored_nickname  # SQL reads the stored name, which leaving empties

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_suspended(self) -> bool:
        return self.status == STATUS_SUSPENDED

    @property
    def has_left(self) -> bool:
        return self.status == STATUS_LEFT

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive members
        return self.status == STATUS_ACTIVE

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.nickname}>"


def left_member_name() -> str:
    return gettext("退会したメンバー")  # outside a request (a script, a task): the source words


class Invitation(db.Model):
    """A single-use, expiring invitation. Only the token's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_inviter_created", "inviter_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    inviter: Mapped[Member] = relationship(foreign_keys=[inviter_id])
    used_by: Mapped[Member | None] = relationship(foreign_keys=[used_by_id])

    def state(self, now: datetime | None = None) -> str:
        """valid / used / revoked / inviter_suspended / expired: the reason a token does not work."""
        now = now or utcnow()
        if self.used_at:
            return "used"
        # Suspension revokes the inviter's open invitations; while it lasts, that is the reason to give.
        if self.inviter.is_suspended:
            return "inviter_suspended"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "valid"


class Block(db.Model):
    """ブロック: `blocker` no longer wants to meet `blocked`. One row per pair (the primary key), so a
    double tap stores one block. What a block hides is decided in members/access.py."""

    __tablename__ = "blocks"
    __table_args__ = (
        Index("ix_blocks_blocked", "blocked_id", "blocker_id"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )

    blocker_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    blocked: Mapped[Member] = relationship(foreign_keys=[blocked_id])
