"""ブロック: one member stops meeting another. What a block hides is decided in access.py; this
module only starts and ends blocks."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..errors import Invalid, NotFound
from ..extensions import db
from ..friends import services as friends
from ..pagination import Page, paginate
from . import access
from .models import Block, Member


def is_blocking(actor: Member, member: Member) -> bool:
    return access.is_blocked_by(member.id, actor.id)


def block(actor: Member, member_id: int) -> Member:
    """Block a member. Ends a friendship and any pending friend request between the two.

    Blocking twice (a double tap, two tabs) leaves one block and is not an error."""
    target = db.session.get(Member, member_id)
    if target is None or (access.is_suspended(target) and not actor.is_admin):
        raise NotFound(_("会員が見つかりません。"))
    if target.id == actor.id:
        raise Invalid(_("自分自身はブロックできません。"))
    if is_blocking(actor, target):
        return target
    friends.part(actor.id, target.id)
    db.session.add(Block(blocker_id=actor.id, blocked_id=target.id))
    try:
        db.session.commit()
    except IntegrityError:
        # The same block sent twice at once: the other request stored it (and parted the two).
        db.session.rollback()
    return target


def unblock(actor: Member, member_id: int) -> None:
    """End a block; unblocking one that is not there (a second tap) does nothing."""
    db.session.execute(delete(Block).where(Block.blocker_id == actor.id, Block.blocked_id == member_id))
    db.session.commit()


def blocked_by_me(actor: Member, page: int, per_page: int) -> Page:
    """The blocks I made, newest first, with the members, for the settings page."""
    stmt = (select(Block).where(Block.blocker_id == actor.id)
            .options(selectinload(Block.blocked))
            .order_by(Block.created_at.desc(), Block.blocked_id))
    return paginate(stmt, page, per_page)
