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

from sqlalchemy import and_, event, exists, literal_column, or_, select, true
from sqlalchemy.orm import Session, aliased

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


@functools.lru_cache(maxsize=256)
def no_inactive_member(column):
    """active_member() for a condition that must stay inside an OR, as "not one of the inactive few".

    Inside an OR PostgreSQL cannot join the EXISTS; it hashes every row the subquery yields, and for
    active_member() that is every active member (120,000 rows read per request). The inactive ones
    (suspended, left) are a few hundred, found through the partial index ix_members_inactive, whose
    predicate the constant below must match. The same answer because an id in `column` always names a
    member row: a foreign key, and a member who leaves stays as an emptied row."""
    member = aliased(Member)
    return ~exists().where(member.id == column, member.status != literal_column(f"'{STATUS_ACTIVE}'"))


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
    return (blocker_id, member_id) in _blocks_between(member_id, blocker_id)


def blocked_by(member_id, blocker_column):
    """is_blocked_by(member_id, blocker_column) as a SQL EXISTS; both sides may be columns."""
    return exists().where(Block.blocker_id == blocker_column, Block.blocked_id == member_id)


def is_blocked_between(a_id: int, b_id: int) -> bool:
    """A block in either direction: the two do not meet in content or lists."""
    if a_id == b_id:
        return False
    return bool(_blocks_between(a_id, b_id))


_MEMO = "ejan.blocks_between"


def _blocks_between(a_id: int, b_id: int) -> frozenset[tuple[int, int]]:
    """The blocks between two members, either way, as (blocker, blocked) pairs: read once per session.

    A profile asks three times (may the viewer see it, may the visit leave a footprint, does the viewer
    block them); one statement answers all three. Like the ORM's identity map, the answer lives as
    long as the database session (a request, a task) and is forgotten when this session changes
    blocks (flushing a Block, a bulk write to the table) or rolls back."""
    session = db.session()
    if any(isinstance(row, Block) for row in (*session.new, *session.deleted)):
        session.flush()  # forgets (see _forget_blocks_on_flush)
    memo = session.info.setdefault(_MEMO, {})
    key = (a_id, b_id) if a_id <= b_id else (b_id, a_id)
    found = memo.get(key)
    if found is None:
        found = memo[key] = frozenset((blocker, blocked) for blocker, blocked in session.execute(
            select(Block.blocker_id, Block.blocked_id).where(
                or_(and_(Block.blocker_id == a_id, Block.blocked_id == b_id),
                    and_(Block.blocker_id == b_id, Block.blocked_id == a_id)))))
    return found


def _forget_blocks(session, *_args) -> None:
    session.info.pop(_MEMO, None)


def _forget_blocks_on_flush(session, *_args) -> None:
    if _MEMO in session.info and any(isinstance(row, Block)
                                     for row in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_MEMO, None)


def _forget_blocks_on_write(state) -> None:
    if _MEMO in state.session.info and not state.is_select:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", Block.__tablename__) == Block.__tablename__:
            state.session.info.pop(_MEMO, None)


event.listen(Session, "after_rollback", _forget_blocks)
event.listen(Session, "before_flush", _forget_blocks_on_flush)
event.listen(Session, "do_orm_execute", _forget_blocks_on_write)


def block_partner_ids(member_id: int):
    """The ids of everyone with a block between them and the member (either way), as a select."""
    return select(Block.blocked_id).where(Block.blocker_id == member_id).union_all(
        select(Block.blocker_id).where(Block.blocked_id == member_id))


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

