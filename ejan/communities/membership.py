"""Joining and leaving a community, answering requests, moderators, bans and handing the community over."""
from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from .. import signals
from ..clock import utcnow
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..members import access as who
from ..members.models import Member
from ..pagination import Page, paginate
from . import counts
from .access import get_community, is_active, require_role, role_of, role_of_id
from .models import APPROVAL, BANNED, JOINED, MEMBER, MODERATOR, OWNER, PENDING, RUNNERS, Community, Membership


# --- joining and leaving ------------------------------------------------------------------------------------

def join(actor: Member, community_id: int, message: str = "") -> str:
    """Join an open community, or ask to join an approval one. Returns the new role."""
    community = get_community(actor, community_id)
    current = role_of(actor, community)
    if current == BANNED:
        raise Forbidden(_("このコミュニティには参加できません。"))
    if current in JOINED:
        raise Invalid(_("すでに参加しています。"))
    if current == PENDING:
        raise Invalid(_("参加を申請済みです。管理人の承認をお待ちください。"))
    role = PENDING if community.join_policy == APPROVAL else MEMBER
    try:  # a duplicate fails at the flush, inside the try
        db.session.add(Membership(community_id=community.id, member_id=actor.id, role=role,
                                  message=(message or "").strip()[:500]))
        db.session.flush()
        counts.membership_changed(community.id, actor.id, None, role)
        db.session.commit()
    except IntegrityError:
        # Joined twice at once (double tap): the primary key let the first one in.
        db.session.rollback()
        raise Invalid(_("すでに参加しています。"))
    if role == PENDING:
        signals.community_join_requested.send(community, requester=actor)
    return role


def leave(actor: Member, community_id: int) -> None:
    community = get_community(actor, community_id)
    role = role_of(actor, community)
    if role == OWNER:
        raise Invalid(_("管理人は、ほかのメンバーに管理人を引き継いでから退会できます。"))
    if role not in (MODERATOR, MEMBER, PENDING):
        raise Invalid(_("このコミュニティに参加していません。"))
    _delete_membership(community.id, actor.id, (MODERATOR, MEMBER, PENDING))
    db.session.commit()


def _delete_membership(community_id: int, member_id: int, roles: Sequence[str]) -> str | None:
    """Delete the row only if its role is still one of `roles`; returns the role it had, None if none matched.

    One conditional DELETE per role, so the role counted is the role deleted even when an approval or a
    ban changes the row at the same moment (a role read beforehand could already be stale)."""
    for role in roles:
        if _change_role(community_id, member_id, role, None):
            return role
    return None


def _change_role(community_id: int, member_id: int, was: str, now: str | None, **values) -> bool:
    """The one way a membership's role changes: only if it is still `was` (None deletes the row).
    The member count follows only when the row really changed."""
    where = (Membership.community_id == community_id, Membership.member_id == member_id, Membership.role == was)
    stmt = delete(Membership) if now is None else update(Membership).values(role=now, **values)
    if not db.session.execute(stmt.where(*where).execution_options(synchronize_session=False)).rowcount:
        return False
    counts.membership_changed(community_id, member_id, was, now)
    return True


def approve(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    require_role(actor, community, RUNNERS, _("参加を承認できるのは管理人と副管理人です。"))
    # Conditional: of two moderators approving at once, one turns the request into a membership.
    if not _change_role(community.id, member_id, PENDING, MEMBER, created_at=utcnow()):
        db.session.rollback()
        raise Invalid(_("この参加申請はすでに処理されています。"))
    db.session.commit()
    signals.community_join_approved.send(community, member_id=member_id, actor=actor)


def decline(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    require_role(actor, community, RUNNERS, _("参加申請に答えられるのは管理人と副管理人です。"))
    if not _delete_membership(community.id, member_id, (PENDING,)):
        db.session.rollback()
        raise Invalid(_("この参加申請はすでに処理されています。"))
    db.session.commit()


# --- roles --------------------------------------------------------------------------------------------------

def _can_act_on(actor_role: str, target_role: str | None) -> bool:
    """The owner acts on moderators and members; moderators act on members only."""
    if target_role in (None, OWNER):
        return False
    if actor_role == OWNER:
        return True
    return target_role in (MEMBER, PENDING, BANNED)


def member_actions(actor_role: str | None, target_role: str | None, *, is_self: bool = False) -> tuple[str, ...]:
    """What a runner may do to one joined member, for the buttons on both template sets and for the checks."""
    if is_self or actor_role not in RUNNERS or target_role not in (MODERATOR, MEMBER) \
            or not _can_act_on(actor_role, target_role):
        return ()
    if actor_role == OWNER:
        return ("promote" if target_role == MEMBER else "demote", "remove", "ban")
    return ("remove", "ban")


def actions_on(actor: Member, role: str | None, memberships: Sequence[Membership]) -> dict[int, tuple[str, ...]]:
    return {m.member_id: member_actions(role, m.role, is_self=m.member_id == actor.id) for m in memberships}


def remove_member(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    actor_role = require_role(actor, community, RUNNERS, _("メンバーを外せるのは管理人と副管理人です。"))
    target = db.session.get(Membership, (community.id, member_id))
    if target is None or "remove" not in member_actions(actor_role, target.role, is_self=member_id == actor.id):
        raise Forbidden(_("このメンバーは外せません。"))
    _delete_membership(community.id, member_id, (target.role,))
    db.session.commit()


def ban(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    actor_role = require_role(actor, community, RUNNERS, _("参加を禁止できるのは管理人と副管理人です。"))
    target = db.session.get(Membership, (community.id, member_id))
    target_role = target.role if target else None
    if member_id == actor.id or (target is not None and not _can_act_on(actor_role, target_role)):
        raise Forbidden(_("このメンバーの参加は禁止できません。"))
    if db.session.get(Member, member_id) is None:
        raise NotFound(_("会員が見つかりません。"))
    if target is None:
        try:
            db.session.add(Membership(community_id=community.id, member_id=member_id, role=BANNED))
            db.session.commit()
        except IntegrityError:  # joined, asked or was banned at this very moment: look again
            db.session.rollback()
            if role_of_id(community.id, member_id) != BANNED:
                raise Invalid(_("このメンバーの役割は変えられません。"))
        return
    if not _change_role(community.id, member_id, target_role, BANNED):
        # Banned twice at once (a double tap) is done; anything else changed the role meanwhile.
        db.session.rollback()
        if role_of_id(community.id, member_id) != BANNED:
            raise Invalid(_("このメンバーの役割は変えられません。"))
        return
    db.session.commit()


def unban(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    require_role(actor, community, RUNNERS, _("参加禁止を解除できるのは管理人と副管理人です。"))
    if not _delete_membership(community.id, member_id, (BANNED,)):
        raise Invalid(_("このメンバーは参加禁止になっていません。"))
    db.session.commit()


def set_moderator(actor: Member, community_id: int, member_id: int, moderator: bool) -> None:
    community = get_community(actor, community_id)
    require_role(actor, community, (OWNER,), _("副管理人を決められるのは管理人だけです。"))
    source, target = (MEMBER, MODERATOR) if moderator else (MODERATOR, MEMBER)
    if not _change_role(community.id, member_id, source, target):
        db.session.rollback()
        raise Invalid(_("このメンバーの役割は変えられません。"))
    db.session.commit()


def community_to_hand_over(actor: Member, community_id: int) -> Community:
    """Only the owner hands the community over."""
    community = get_community(actor, community_id)
    require_role(actor, community, (OWNER,), _("管理人を引き継げるのは管理人だけです。"))
    return community


def hand_over(actor: Member, community_id: int, member_id: int) -> None:
    """The owner hands the community to a member or moderator and becomes a moderator."""
    community = community_to_hand_over(actor, community_id)
    target = db.session.get(Membership, (community.id, member_id))
    if target is None or target.role not in (MODERATOR, MEMBER) or target.member.is_suspended:
        raise Invalid(_("管理人はコミュニティのメンバーから選んでください。"))
    # Conditional steps, the owner's own row first: of two hand-overs at once (two tabs, two heirs) the
    # second finds the actor no longer owner and changes nothing; the unique index on one owner per
    # community is the database's last word.
    if not _change_role(community.id, actor.id, OWNER, MODERATOR) \
            or not _change_role(community.id, member_id, target.role, OWNER):
        db.session.rollback()
        raise Invalid(_("管理人はコミュニティのメンバーから選んでください。"))
    db.session.execute(update(Community).where(Community.id == community.id).values(owner_id=member_id)
                       .execution_options(synchronize_session=False))
    db.session.commit()


# --- who is in ----------------------------------------------------------------------------------------------

def roles_in(member: Member | None, communities: Sequence[Community]) -> dict[int, str]:
    """The viewer's role in each listed community, in one query."""
    if not is_active(member) or not communities:
        return {}
    rows = db.session.execute(select(Membership.community_id, Membership.role).where(
        Membership.member_id == member.id, Membership.community_id.in_([c.id for c in communities])))
    return dict(rows.all())


def runner_ids(community: Community) -> list[int]:
    return list(db.session.scalars(select(Membership.member_id).where(
        Membership.community_id == community.id, Membership.role.in_(RUNNERS))))


def members_of(viewer: Member, community: Community, page: int, per_page: int) -> Page:
    """Joined members, the owner and moderators first; anyone with a block between them and the viewer is left out.

    The few runners and the many members are fetched apart, each in the order of the
    (community_id, role, created_at) index, so a page of a 17,000-member community reads a page of
    rows instead of sorting every membership by role."""
    get_community(viewer, community.id)
    number = max(1, page)
    skip, wanted = (number - 1) * per_page, per_page + 1  # one more row tells whether a next page exists

    # One role per statement: an equality on (community_id, role) is what lets the index give the order.
    # The statement is built once and the role bound when it runs (the SQL is the same as with the
    # role written in): building it three times cost more Python than the three queries take.
    joined = (select(Membership)
              .where(Membership.community_id == community.id, Membership.role == bindparam("role"))
              .join(Member, Member.id == Membership.member_id)
              .where(who.active(), who.not_blocked_between(viewer, Membership.member_id))
              .options(contains_eager(Membership.member))
              .order_by(Membership.created_at, Membership.member_id))

    runners = [m for role in (OWNER, MODERATOR)
               for m in db.session.scalars(joined.limit(skip + wanted), {"role": role})]
    rows = runners[skip:skip + wanted]
    rows += db.session.scalars(joined.limit(wanted - len(rows)).offset(max(0, skip - len(runners))),
                               {"role": MEMBER}).all()
    return Page(items=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)


def people_waiting(actor: Member, community: Community, role: str, page: int, per_page: int) -> Page:
    """Join requests (pending) or the banned list: for the owner and moderators only."""
    require_role(actor, community, RUNNERS, _("このページは管理人と副管理人だけが見られます。"))
    stmt = (select(Membership).where(Membership.community_id == community.id, Membership.role == role)
            .options(selectinload(Membership.member)).order_by(Membership.created_at, Membership.member_id))
    return paginate(stmt, page, per_page)
