"""The counters kept on rows (a community's member_count, a topic's comment_count): the only code that changes them.

Each change is a delta applied in SQL (`member_count = member_count + 1`), and only after the conditional
statement that changed the membership or deleted the comment reported a changed row. Two requests doing
the same thing at once (a double ban, an approval while the member withdraws, a double-tapped delete)
therefore count once: the database lets one of them change the row, and the other changes nothing.

member_count counts joined members (owner, moderators, members) whose account works: a suspended member
leaves every count while suspended and comes back when reinstated (receivers below).
"""
from __future__ import annotations

from sqlalchemy import select, update

from .. import signals
from ..extensions import db
from ..members import access as who
from ..members.models import Member
from .models import JOINED, Community, Membership, Topic


def _counted(member_id: int) -> bool:
    """Is this member counted at all (not suspended)? Read with a share lock: on PostgreSQL a suspension at
    the same moment waits for this transaction (or this read waits for it), so the two never both count."""
    return db.session.scalar(select(Member.id).where(Member.id == member_id, who.active())
                             .with_for_update(read=True)) is not None


def _add_members(community_ids, delta: int) -> None:
    db.session.execute(update(Community).where(Community.id.in_(community_ids))
                       .values(member_count=Community.member_count + delta)
                       .execution_options(synchronize_session=False))


def membership_changed(community_id: int, member_id: int, was: str | None, now: str | None) -> None:
    """A membership row went from role `was` to role `now` (None: no row), as a statement just reported."""
    delta = (now in JOINED) - (was in JOINED)
    if delta and _counted(member_id):
        _add_members([community_id], delta)


def comments_changed(topic_id: int, delta: int, **also) -> None:
    """`delta` comments were added to or removed from a topic, as the INSERT or DELETE just reported."""
    db.session.execute(update(Topic).where(Topic.id == topic_id)
                       .values(comment_count=Topic.comment_count + delta, **also)
                       .execution_options(synchronize_session=False))


def _joined_by(member_id: int):
    return select(Membership.community_id).where(Membership.member_id == member_id, Membership.role.in_(JOINED))


@signals.member_suspended.connect
def _leave_counts(member: Member, **_) -> None:
    _add_members(_joined_by(member.id), -1)


def member_gone(member_id: int) -> None:
    """退会: the member leaves every community they joined (their memberships are deleted right after). Only an
    active member can leave (the status changed from active to left in this transaction), so they were counted."""
    _add_members(_joined_by(member_id), -1)


@signals.member_reinstated.connect
def _rejoin_counts(member: Member, **_) -> None:
    _add_members(_joined_by(member.id), +1)
