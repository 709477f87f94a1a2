"""安否 (safety check-in): one tap, five statuses; the member chooses who sees it.

Who sees a check-in (one rule, `can_see`, with its SQL twin `visible_to`):
- its poster, and the city's staff (admins), always;
- "friends" (the default): the poster's friends;
- "communities": friends, and members who share a community with the poster;
- "staff": nobody else.
Logged-out readers see none; a block between viewer and poster hides it; a suspended poster's
check-ins are seen by staff only. A family member checked in by proxy follows the poster's choice.
"""
from __future__ import annotations

import functools
from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import (Integer, String, and_, bindparam, delete, false, func, literal_column, or_, select,
                        true, union_all)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import microcache
from ..caching import held
from ..clock import utcnow
from ..communities import access as community_access
from ..dbutil import constant, contains
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from . import told
from .models import (CHECKIN_STATUSES, CHECKIN_VISIBILITIES, RESCUE, SEE_COMMUNITIES, SEE_FRIENDS, SEE_STAFF,
                     SHELTER, DisasterEvent, SafetyCheckIn)

UNCHECKED = "unchecked"  # 未確認: a friend with no check-in the viewer may see
MAX_COMMENT = 100
MAX_NAME = 40


# --- who sees what -------------------------------------------------------------------------------------

def _is_staff(viewer) -> bool:
    return access.is_active(viewer) and viewer.is_admin


def can_see(viewer: Member | None, checkin: SafetyCheckIn) -> bool:
    if not access.is_active(viewer):
        return False
    if checkin.member_id == viewer.id or viewer.is_admin:
        return True
    if checkin.visibility == SEE_STAFF or not access.is_active(checkin.member):
        return False
    if access.is_blocked_between(viewer.id, checkin.member_id):
        return False
    if access.is_friend(viewer.id, checkin.member_id):
        return True
    return checkin.visibility == SEE_COMMUNITIES and community_access.share_a_community(viewer.id, checkin.member_id)


def visible_to(viewer: Member | None):
    if not access.is_active(viewer):
        return false()
    if viewer.is_admin:
        return true()
    poster = SafetyCheckIn.member_id
    # Inside the OR, "the poster is active" is asked as "not one of the inactive few" (the map's reason:
    # PostgreSQL would otherwise hash all 120,000 active members for each search).
    return or_(poster == viewer.id, and_(
        SafetyCheckIn.visibility != SEE_STAFF, access.no_inactive_member(poster),
        ~access.blocked_between(viewer.id, poster),
        or_(access.friend_of(viewer.id, poster),
            and_(SafetyCheckIn.visibility == SEE_COMMUNITIES,
                 community_access.shares_a_community_with(viewer.id, poster)))))


# --- checking in ------------------------------------------------------------------------------------------

def check_checkin(status, comment="", visibility=SEE_FRIENDS, person="", shelter_id=None) -> None:
    problems = Problems()
    _check(problems, status, comment, visibility, person)
    problems.raise_any()


def _check(problems, status, comment, visibility, person):
    if status not in CHECKIN_STATUSES:
        problems.add(_("いまの状況を選んでください。"), "status")
    if len((comment or "").strip()) > MAX_COMMENT:
        problems.add(_("ひとことは100文字以内で入力してください。"), "comment")
    if visibility not in CHECKIN_VISIBILITIES:
        problems.add(_("知らせる相手を選んでください。"), "visibility")
    if len((person or "").strip()) > MAX_NAME:
        problems.add(_("名前は40文字以内で入力してください。"), "person")


def check_in(member: Member, event: DisasterEvent, *, status, comment="", visibility=SEE_FRIENDS,
             shelter_id=None, person: str = "") -> SafetyCheckIn:
    """Check in (or update) oneself, or with `person` a family member who is not a member."""
    if not access.is_active(member):
        raise Forbidden(_("ログインしてください。"))
    if not event.is_active:
        raise Invalid(_("この災害は終了しました。"))
    problems = Problems()
    _check(problems, status, comment, visibility, person)
    shelter = None
    if status == SHELTER and shelter_id:
        shelter = _shelter(member, shelter_id)
        if shelter is None:
            problems.add(_("避難所を一覧から選んでください。"), "shelter_id")
    problems.raise_any()
    values = dict(status=status, comment=(comment or "").strip(), visibility=visibility,
                  shelter_id=shelter.id if shelter else None, district=member.district, updated_at=utcnow())
    person = (person or "").strip()
    key = dict(event_id=event.id, member_id=member.id, person=person)
    for _attempt in range(2):  # two taps at once: the second finds the first's row and updates it
        row = db.session.scalar(select(SafetyCheckIn).filter_by(**key))
        if row is None:
            row = SafetyCheckIn(**key, **values)
            db.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        try:
            db.session.commit()
            _forget_screen(member, event)
            return row
        except IntegrityError:
            db.session.rollback()
    raise Invalid(_("もう一度送信してください。"))


def _shelter(member, shelter_id):
    from ..maps import services as maps
    from ..maps.categories import SHELTER as SHELTER_PIN

    try:
        pin = maps.get_pin(member, int(shelter_id))
    except (NotFound, TypeError, ValueError):
        return None
    return pin if pin.category == SHELTER_PIN else None


def mine(member: Member | None, event_id: int) -> list[SafetyCheckIn]:
    """The member's own check-in and those for their family, own first. By the event's id, like the counts
    below: the disaster screen asks for them without loading the event."""
    if not access.is_active(member):
        return []
    return list(db.session.scalars(select(SafetyCheckIn).where(
        SafetyCheckIn.event_id == event_id, SafetyCheckIn.member_id == member.id)
        .order_by(SafetyCheckIn.person, SafetyCheckIn.id)))


def remove_proxy(member: Member, event: DisasterEvent, checkin_id: int) -> None:
    db.session.execute(delete(SafetyCheckIn).where(
        SafetyCheckIn.id == checkin_id, SafetyCheckIn.member_id == member.id, SafetyCheckIn.person != "",
        SafetyCheckIn.event_id == event.id))
    db.session.commit()
    _forget_screen(member, event)


def _forget_screen(member: Member, event: DisasterEvent) -> None:
    """The member's next disaster screen shows what they just did, not a page kept for their browser in this
    process (other processes see the form's new cookie instead)."""
    microcache.forget_member(member.id)


# --- what the disaster screen counts ------------------------------------------------------------------------

# A member's first disaster screen is the request a surge is made of. Reading each friend's check-in and
# member row per request touched ~40 rows scattered over the city (1 ms of PostgreSQL at city scale); so the
# screen reads only the viewer's own rows (their friends, communities, blocks and check-ins: one statement
# along their indexes) and counts them against what every process keeps of the whole city for
# CITY_SECONDS: who checked in how and who told their communities (told.py, brought up to date from what
# changed), who is not active (caching.held, which counts a list again in the background once they pass).
# A friend's check-in shows within 5 to 10 s; the member's own at once.
CITY_SECONDS = told.CITY_SECONDS


def friend_counts(viewer: Member | None, event_id: int) -> dict[str, int]:
    """Among the viewer's friends: how many in each status (their own check-in, as far as the viewer may
    see it), and 未確認 for the rest. A friend who is not active, or with a block between them, is not
    counted at all."""
    if not access.is_active(viewer):
        return {}
    return _friend_line(event_id, Circle.of(viewer.id, event_id))


def community_counts(viewer: Member | None, event_id: int) -> dict[str, int]:
    """Members who share a community with the viewer, are not their friends (counted above) and chose to
    tell "friends and my communities": how many in each status. No 未確認 here: a community member who
    has not checked in may simply have chosen to tell only friends.

    A community of thousands gives one viewer thousands of co-members to match against the check-ins: in
    one query per viewer that was 25-100 ms at city scale, and per community, kept a few seconds, it still
    missed for most viewers of a city of 5,000 communities. So who told their communities is read for the
    whole city at once (told.py) and each viewer reads only their communities, friends and blocks,
    leaving out themselves, their friends and anyone with a block between them, in Python."""
    if not access.is_active(viewer):
        return {}
    return _community_line(event_id, Circle.of(viewer.id, event_id))


def for_screen(viewer_id: int, event_id: int) -> dict:
    """What the disaster screen shows an active member of their own: friend_counts, community_counts and their
    own check-ins (mine), from one statement."""
    return screen_counts(event_id, Circle.of(viewer_id, event_id))


def screen_counts(event_id: int, circle: "Circle") -> dict:
    """for_screen's figures from a circle already read (the disaster screen's front reads it with the session)."""
    return {"friend_counts": _friend_line(event_id, circle), "community_counts": _community_line(event_id, circle),
            "my_checkins": [{"person": person, "status": status} for person, _id, status in sorted(circle.own)]}


class Circle:
    """A viewer's own rows: their communities, friends and block partners, and their own check-ins."""

    def __init__(self, viewer_id: int):
        self.viewer_id = viewer_id
        self.communities: list[int] = []
        self.friends: list[int] = []
        self.blocks: set[int] = set()
        self.own: list[tuple[str, int, str]] = []  # (person, id, status)

    @classmethod
    def of(cls, viewer_id: int, event_id: int) -> "Circle":
        return cls.from_rows(viewer_id, db.session.execute(_circle_statement(), {"viewer": viewer_id,
                                                                                  "event": event_id}))

    @classmethod
    def from_rows(cls, viewer_id: int, rows) -> "Circle":
        """From the rows of circle_branches: (kind, number, status, person, ...)."""
        circle = cls(viewer_id)
        for kind, number, status, person, *_rest in rows:
            if kind == "c":
                circle.communities.append(number)
            elif kind == "f":
                circle.friends.append(number)
            elif kind == "b":
                circle.blocks.add(number)
            elif kind == "m":
                circle.own.append((person, number, status))
        return circle


def circle_branches(viewer, event, *more) -> list:
    """The selects of a viewer's circle, each (kind, number, status, person, *more): `viewer` and `event` are
    bind parameters or SQL expressions, `more` the NULL columns a caller's own branch fills (a union's). Its
    constants are written into the SQL (constant()), so that only the viewer and the event are sent."""
    none = constant(None, String)
    return [
        select(constant("c"), community_access.joined_ids(viewer).subquery().c.community_id, none, none, *more),
        select(constant("f"), access.friend_ids(viewer).subquery().c.friend_id, none, none, *more),
        select(constant("b"), access.block_partner_ids(viewer).subquery().c.blocked_id, none, none, *more),
        select(constant("m"), SafetyCheckIn.id, SafetyCheckIn.status, SafetyCheckIn.person, *more).where(
            SafetyCheckIn.event_id == event, SafetyCheckIn.member_id == viewer)]


@functools.cache
def _circle_statement():
    """Circle's query, built once with bind parameters: built per request, its subqueries cost a member's
    first disaster screen more Python than PostgreSQL spends running them."""
    return union_all(*circle_branches(bindparam("viewer", type_=Integer), bindparam("event", type_=Integer)))


def _friend_line(event_id: int, circle: Circle) -> dict[str, int]:
    status_of, inactive = told.told(event_id).friends, inactive_members()
    return _ordered(Counter(status_of.get(friend, UNCHECKED) for friend in circle.friends
                            if friend not in inactive and friend not in circle.blocks))


def _community_line(event_id: int, circle: Circle) -> dict[str, int]:
    if not circle.communities:
        return {}
    return _ordered(told.told(event_id).co_members(
        circle.communities, (circle.viewer_id, *circle.friends, *circle.blocks), inactive_members()))


def inactive_members() -> frozenset[int]:
    """The few members who are not active (suspended, left): kept CITY_SECONDS in each process."""
    def compute():
        return frozenset(db.session.scalars(select(Member.id).where(
            Member.status != literal_column(f"'{access.STATUS_ACTIVE}'"))))
    return held("members:inactive", CITY_SECONDS, compute)


def _ordered(found: dict) -> dict[str, int]:
    return {status: found.get(status, 0) for status in (*CHECKIN_STATUSES, UNCHECKED) if found.get(status)}


def district_counts(admin: Member, event: DisasterEvent) -> dict[str | None, dict[str, int]]:
    """Admins: check-ins by district and status (family members counted in the poster's district)."""
    _require_staff(admin)
    table: dict = {}
    for district, status, count in db.session.execute(
            select(SafetyCheckIn.district, SafetyCheckIn.status, func.count())
            .where(SafetyCheckIn.event_id == event.id).group_by(SafetyCheckIn.district, SafetyCheckIn.status)):
        table.setdefault(district, {})[status] = count
    return dict(sorted(table.items(), key=lambda item: (item[0] is None, item[0] or "")))


def needing_rescue(admin: Member, event: DisasterEvent, page: int, per_page: int) -> Page:
    """Admins: everyone who said 救助が必要です, the longest waiting first."""
    _require_staff(admin)
    stmt = (select(SafetyCheckIn).where(SafetyCheckIn.event_id == event.id, SafetyCheckIn.status == RESCUE)
            .options(joinedload(SafetyCheckIn.member)).order_by(SafetyCheckIn.updated_at, SafetyCheckIn.id))
    return paginate(stmt, page, per_page)


def search(viewer: Member | None, event: DisasterEvent, query: str, page: int, per_page: int) -> Page:
    """Check-ins the viewer may see whose person (member nickname or family member's name) matches."""
    query = (query or "").strip()[:MAX_NAME]
    if not access.is_active(viewer) or not query:
        return Page(items=[], number=1, per_page=per_page, has_next=False)
    stmt = (select(SafetyCheckIn).join(Member, Member.id == SafetyCheckIn.member_id)
            .where(SafetyCheckIn.event_id == event.id, visible_to(viewer),
                   or_(and_(SafetyCheckIn.person == "", contains(query, Member.nickname)),
                       contains(query, SafetyCheckIn.person)))
            .options(joinedload(SafetyCheckIn.member))
            .order_by(SafetyCheckIn.updated_at.desc(), SafetyCheckIn.id.desc()))
    return paginate(stmt, page, per_page)


def _require_staff(viewer) -> None:
    if not _is_staff(viewer):
        raise Forbidden(_("この操作は管理者だけができます。"))


def status_counts(event: DisasterEvent) -> dict[str, int]:
    return _ordered(dict(db.session.execute(select(SafetyCheckIn.status, func.count()).where(
        SafetyCheckIn.event_id == event.id).group_by(SafetyCheckIn.status)).all()))


# --- retention ------------------------------------------------------------------------------------------------

def purge_expired(now=None) -> int:
    """Delete the check-ins of events ended longer ago than the retention setting; reports stay."""
    now = now or utcnow()
    expired = select(DisasterEvent.id).where(DisasterEvent.ended_at.isnot(None),
                                             DisasterEvent.checkins_expire_at <= now)
    deleted = db.session.execute(delete(SafetyCheckIn).where(SafetyCheckIn.event_id.in_(expired))).rowcount
    db.session.commit()
    return deleted
