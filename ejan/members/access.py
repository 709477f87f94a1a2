"""Who is who, in one place: an active member, a suspended one, a friend, a block between two members.

Each rule comes twice: a Python predicate for one page about one thing, and its SQL twin for lists,
feeds and search. tests/members/test_access.py checks every pair against each other over a small
matrix, so a list never shows what the page then refuses, nor hides what would open. Features build
their audiences (diary visibility, community members, later maps, surveys, safety check-ins) on top
of these and never restate them.

This is the one module that knows the tables behind who-is-who (members, friendships, blocks).

Blocking (ブロック) is one member's act, and hides both ways where residents would expect:
- the blocked member no longer reaches the blocker's profile, diary, comments or check-ins, cannot
  comment on the blocker's things nor ask to be friends;
- the blocker no longer meets the blocked member in lists (feeds, search, friend and member lists,
  footprints) nor their writing, but can still open their profile page, to unblock.
So `is_blocked_by` (one way) guards the profile, and `blocked_between` (either way) guards content
and lists.
"""
from __future__ import annotations

import functools

from sqlalchemy import and_, exists, or_, select, true
from sqlalchemy.orm import aliased

from ..extensions import db
from ..friends.models import Friendship
from .models import STATUS_ACTIVE, STATUS_SUSPENDED, Block, Member


# --- active and suspended ----------------------------------------------------------------------------

def is_active(member) -> bool:
    """A logged-in member whose account works. None and anonymous visitors are not."""
    return member is not None and bool(member.is_authenticated) and member.status == STATUS_ACTIVE


def active(entity=Member):
    """is_active() as a SQL condition on a (possibly aliased) Member in the query."""
    return entity.status == STATUS_ACTIVE


@functools.lru_cache(maxsize=256)
def active_member(column):
    """is_active() for the member whose id is in `column`, as an EXISTS (no join needed).

    Its own alias of members, so it also works inside a query that is itself on members. Built once
    per column: an alias copies every column of members, which made this one condition cost more
    Python than running the whole diary feed's query (SQL expressions are immutable, so sharing is safe)."""
    member = aliased(Member)
    return exists().where(member.id == column, active(member))


def is_suspended(member) -> bool:
    return member is not None and member.status == STATUS_SUSPENDED


def suspended(entity=Member):
    """is_suspended() as a SQL condition on a (possibly aliased) Member in the query."""
    return entity.status == STATUS_SUSPENDED


# --- friends -------------------------------------------------------------------------------------------

def is_friend(a_id: int, b_id: int) -> bool:
    """Friendships are stored once per direction, so one primary-key lookup answers."""
    return db.session.get(Friendship, (a_id, b_id)) is not None


def friend_of(member_id: int, column):
    """is_friend(member_id, column) as a SQL EXISTS."""
    return exists().where(Friendship.member_id == member_id, Friendship.friend_id == column)


def friend_ids(member_id: int):
    """The ids of a member's friends, as a subquery (for IN)."""
    return select(Friendship.friend_id).where(Friendship.member_id == member_id)


# --- blocks ------------------------------------------------------------------------------------------------

def is_blocked_by(member_id: int, blocker_id: int) -> bool:
    """Has `blocker_id` blocked `member_id`? One way."""
    return db.session.get(Block, (blocker_id, member_id)) is not None


def blocked_by(member_id, blocker_column):
    """is_blocked_by(member_id, blocker_column) as a SQL EXISTS; both sides may be columns."""
    return exists().where(Block.blocker_id == blocker_column, Block.blocked_id == member_id)


def is_blocked_between(a_id: int, b_id: int) -> bool:
    """A block in either direction: the two do not meet in content or lists."""
    if a_id == b_id:
        return False
    return db.session.scalar(select(blocked_between(a_id, b_id))) is True


def blocked_between(a, b):
    """is_blocked_between(a, b) as a SQL EXISTS; a and b are ids or columns (one index probe per side)."""
    return exists().where(or_(and_(Block.blocker_id == a, Block.blocked_id == b),
                              and_(Block.blocker_id == b, Block.blocked_id == a)))


def not_blocked_between(viewer, column):
    """The list filter: rows whose member (`column`) and the viewer have no block between them.

    With no viewer (a system job) nothing is filtered."""
    viewer_id = viewer if isinstance(viewer, int) else getattr(viewer, "id", None)
    if viewer_id is None:
        return true()
    return ~blocked_between(viewer_id, column)

