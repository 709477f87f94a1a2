"""What each process keeps of the city's own check-ins in an event, for the disaster screen's counts.

Every member's first screen counts their friends and co-members against these lists (checkins.screen_counts),
so each process holds them as Python objects (caching.held) and brings them up to date every CITY_SECONDS in
the background. Read whole, they are 64,000 check-ins and a join of 14,000 of them with 246,000 community
memberships at city scale: about 200 ms of PostgreSQL and Python per process each time, which grows with
the number of web workers. So between whole reads (every WHOLE_SECONDS) a process reads only the check-ins
changed since its last read, along an index on (event, updated_at): what a surge of check-ins costs, not
what the city holds.

A check-in's updated_at is stamped before its commit, and by the clock of whichever machine took it: the
changes are read from OVERLAP_SECONDS before the last read began, and whatever even that misses (a commit
slower than that, a member who joined or left a community) is put right by the next whole read.
"""
from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable, NamedTuple

from sqlalchemy import DateTime, Integer, and_, bindparam, select

from .. import caching
from ..clock import utcnow
from ..communities import access as community_access
from ..dbutil import ids_of
from ..extensions import db
from .models import SEE_COMMUNITIES, SEE_STAFF, SafetyCheckIn

CITY_SECONDS = 5  # how old the lists may be: a friend's check-in shows within 5 to 10 s
WHOLE_SECONDS = 60  # the lists are read whole at least this often
OVERLAP_SECONDS = 10  # changes are read back this far before the last read began


class Told(NamedTuple):
    """Never changed once made (requests read it while the next one is made), but for `tallies`, which only
    gains what is asked of it."""
    friends: dict[int, str]  # a member who told their friends (or more) -> the status of their own check-in
    communities: dict[int, dict[int, str]]  # a community -> its members who told their communities, and status
    joined: dict[int, list[int]]  # a member counted in `communities` -> the communities they are counted in
    since: datetime  # what changed from here on may not be in it (its read began then)
    whole_at: float  # caching.now() of its last whole read
    tallies: dict[int, tuple[frozenset[int], Counter]]  # a community -> (who was left out, its count per status)

    def co_members(self, communities: Iterable[int], leave_out: Iterable[int], inactive: frozenset[int]) -> Counter:
        """How many members who told these communities (each once, however many of them they share) are in each
        status, leaving out `leave_out` and the inactive. A community of 17,600 members has some 2,000 who
        told it: going over them on every member's first screen cost more than the rest of the screen, so the
        largest of the communities comes as a tally kept per community and the others are gone over."""
        communities = list(dict.fromkeys(communities))
        if not communities:
            return Counter()
        largest = max(communities, key=lambda community_id: len(self.communities.get(community_id, ())))
        in_largest = self.communities.get(largest, {})
        others: dict[int, str] = {}
        for community_id in communities:
            if community_id != largest:
                others.update(self.communities.get(community_id, {}))
        for member_id in (others.keys() & in_largest.keys()) | (others.keys() & inactive):
            del others[member_id]  # the few counted in the largest already, or not at all: the rest in C below
        found = Counter(self._tally(largest, inactive))
        found.update(others.values())
        for member_id in set(leave_out) - inactive:
            status = in_largest.get(member_id) or others.get(member_id)
            if status is not None:
                found[status] -= 1
        return found

    def _tally(self, community_id: int, inactive: frozenset[int]) -> Counter:
        kept = self.tallies.get(community_id)
        if kept is None or kept[0] is not inactive:  # the inactive are held apart and counted again as often
            kept = inactive, Counter(status for member_id, status in self.communities.get(community_id, {}).items()
                                     if member_id not in inactive)
            self.tallies[community_id] = kept
        return kept[1]


def told(event_id: int) -> Told:
    return caching.held(f"disaster:told:{event_id}", CITY_SECONDS, functools.partial(_whole, event_id),
                        update=functools.partial(_caught_up, event_id))


def _whole(event_id: int) -> Told:
    since, moment = utcnow(), caching.now()
    connection = db.session.connection()  # Core rows: the ORM's would cost more than the lists themselves
    friends: dict[int, str] = {}
    for status, members in connection.execute(_friends_statement(), {"event": event_id}):
        friends.update(dict.fromkeys(members, status))
    communities: dict[int, dict[int, str]] = {}
    joined: dict[int, list[int]] = {}
    for community_id, status, members in connection.execute(_communities_statement(), {"event": event_id}):
        communities.setdefault(community_id, {}).update(dict.fromkeys(members, status))
        for member_id in members:
            joined.setdefault(member_id, []).append(community_id)
    return Told(friends, communities, joined, since, moment, {})


def _caught_up(event_id: int, old: Told) -> Told:
    if caching.now() - old.whole_at >= WHOLE_SECONDS:
        return _whole(event_id)
    since = utcnow()
    rows = db.session.connection().execute(_changes_statement(), {
        "event": event_id, "since": old.since - timedelta(seconds=OVERLAP_SECONDS)}).all()
    return with_changes(old, rows, since)


def with_changes(old: Told, rows, since: datetime) -> Told:
    """`old` with the changed check-ins of `rows` (member, status, visibility, community or None), as a new
    Told: the dictionaries are copied, the inner ones only where they change."""
    changed: dict[int, tuple[str, str, list[int]]] = {}
    for member_id, status, visibility, community_id in rows:
        change = changed.setdefault(member_id, (status, visibility, []))
        if community_id is not None:
            change[2].append(community_id)
    if not changed:
        return old._replace(since=since)
    friends, communities, joined = dict(old.friends), dict(old.communities), dict(old.joined)
    copied: set[int] = set()

    def members_of(community_id: int) -> dict[int, str]:
        if community_id not in copied:
            communities[community_id] = dict(communities.get(community_id, {}))
            copied.add(community_id)
        return communities[community_id]

    for member_id, (status, visibility, communities_of) in changed.items():
        friends.pop(member_id, None)
        for community_id in joined.pop(member_id, ()):
            members_of(community_id).pop(member_id, None)
        if visibility != SEE_STAFF:
            friends[member_id] = status
        if communities_of:
            for community_id in communities_of:
                members_of(community_id)[member_id] = status
            joined[member_id] = communities_of
    return Told(friends, communities, joined, since, old.whole_at, {})


def _own():
    """The conditions of a member's own check-in in the event (a family member's is counted nowhere here)."""
    checkin = SafetyCheckIn.__table__.c
    return checkin.event_id == bindparam("event", type_=Integer), checkin.person == ""


@functools.cache
def _friends_statement():
    checkin = SafetyCheckIn.__table__.c
    return (select(checkin.status, ids_of(checkin.member_id))
            .where(*_own(), checkin.visibility != SEE_STAFF).group_by(checkin.status))


@functools.cache
def _communities_statement():
    joined = community_access.joined_members().subquery()
    checkin = SafetyCheckIn.__table__.c
    return (select(joined.c.community_id, checkin.status, ids_of(checkin.member_id))
            .join(SafetyCheckIn.__table__, checkin.member_id == joined.c.member_id)
            .where(*_own(), checkin.visibility == SEE_COMMUNITIES)
            .group_by(joined.c.community_id, checkin.status))


@functools.cache
def _changes_statement():
    """The check-ins changed since :since, each once per community its member told (or once, with None)."""
    joined = community_access.joined_members().subquery()
    checkin = SafetyCheckIn.__table__.c
    return (select(checkin.member_id, checkin.status, checkin.visibility, joined.c.community_id)
            .select_from(SafetyCheckIn.__table__.outerjoin(joined, and_(
                joined.c.member_id == checkin.member_id, checkin.visibility == SEE_COMMUNITIES)))
            .where(*_own(), checkin.updated_at >= bindparam("since", type_=DateTime)))
