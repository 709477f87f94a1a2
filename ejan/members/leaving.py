"""Members' part of 退会 (docs/leaving.md): the profile emptied, invitations revoked, blocks gone, sessions ended.

The row itself stays, as a tombstone whose name reads 「退会したメンバー」 (models.Member.nickname), so what the
member wrote in communities and the invite tree keep an author.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from .. import sessions, signals
from ..clock import utcnow
from ..extensions import db
from . import access
from .models import ROLE_ADMIN, Block, Invitation, Member


def placeholder_address(member_id: int) -> str:
    """What replaces a leaver's e-mail: unique, undeliverable (.invalid), and frees their own address."""
    return f"left-{member_id}@left.invalid"


@signals.member_leaving_check.connect
def _last_admin(member: Member, **unused) -> list:
    if not member.is_admin:
        return []
    others = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.role == ROLE_ADMIN, Member.id != member.id, access.active()))
    if others:
        return []
    return [signals.LeavingNote(_("最後の管理者は退会できません。先に別の会員を管理者にしてください。"), blocking=True)]


@signals.member_leaving.connect
def _empty_profile(member: Member, **unused) -> list[str]:
    now = utcnow()
    photo = member.photo_key
    db.session.execute(update(Member).where(Member.id == member.id).values({
        Member.stored_nickname: "", Member.intro: "", Member.district: None, Member.photo_key: None,
        Member.keitai_email: None, Member.language: None, Member.email: placeholder_address(member.id),
        Member.password_hash: "!", Member.left_at: now,  # "!" is no hash: no password ever matches it
    }).execution_options(synchronize_session=False))
    # Open invitations die; the ones that brought this member keep the tree, without the address.
    db.session.execute(update(Invitation).where(Invitation.inviter_id == member.id, Invitation.used_at.is_(None),
                                                Invitation.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(Invitation).where(Invitation.used_by_id == member.id)
                       .values(email=placeholder_address(member.id)).execution_options(synchronize_session=False))
    db.session.execute(delete(Block).where(or_(Block.blocker_id == member.id, Block.blocked_id == member.id)))
    sessions.end_all_for(member.id)
    db.session.expire(member)
    return [photo] if photo else []
