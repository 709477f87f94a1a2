"""A community's events with date and place, and who goes: members answer, everyone who may read sees.

Events stay "upcoming" all through their day in Japan, not just until they begin: lists start at midnight.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from flask_babel import format_number, gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..clock import start_of_today_jst, utcnow
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from .access import can_read_topics, get_community, is_active, require_role, role_of, touch
from .directory import DESCRIPTION_MAX
from .models import GOING, JOINED, NOT_GOING, RUNNERS, Attendance, Community, Event, Membership
from .topics import TITLE_MAX


# --- events -------------------------------------------------------------------------------------------------

def check_event(title: str, starts_at: datetime | None, place: str, description: str, *, new: bool = False):
    """An event's fields, trimmed; every fault at once. A new event cannot start on a past day."""
    title, place, description = (title or "").strip(), (place or "").strip(), (description or "").strip()
    problems = Problems()
    if not title:
        problems.add(_("イベント名を入力してください。"), "title")
    elif len(title) > TITLE_MAX:
        problems.add(_("イベント名は%(max)d文字以内にしてください。", max=TITLE_MAX), "title")
    if starts_at is None:
        problems.add(_("日時を入力してください。"), "date")
    elif new and starts_at < start_of_today_jst():  # a past day; earlier today is still fine (recorded after it began)
        problems.add(_("過去の日時にはイベントを作れません。"), "date")
    if len(place) > 200:
        problems.add(_("場所は200文字以内にしてください。"), "place")
    if len(description) > DESCRIPTION_MAX:
        problems.add(_("説明は%(max)s文字以内にしてください。", max=format_number(DESCRIPTION_MAX)), "description")
    problems.raise_any()
    return title, starts_at, place, description


def community_for_new_event(actor: Member, community_id: int) -> Community:
    """A community the actor may add an event to: members only."""
    community = get_community(actor, community_id)
    require_role(actor, community, JOINED, _("イベントを作れるのはメンバーだけです。"))
    return community


def create_event(actor: Member, community_id: int, *, title: str, starts_at: datetime | None, place: str = "",
                 description: str = "") -> Event:
    community = community_for_new_event(actor, community_id)
    title, starts_at, place, description = check_event(title, starts_at, place, description, new=True)
    event = Event(community_id=community.id, author_id=actor.id, title=title, starts_at=starts_at, place=place,
                  description=description)
    db.session.add(event)
    touch(community.id, utcnow())
    db.session.commit()
    return event


def get_event(viewer: Member | None, event_id: int) -> Event:
    """Events follow the topics' rule: in a members-only community only members see them."""
    event = db.session.get(Event, event_id)
    if event is None or not can_read_topics(viewer, event.community):
        raise NotFound(_("イベントが見つかりません。"))
    return event


def can_change_event(actor: Member, event: Event) -> bool:
    """Whoever made it while still a member (as with topics: leaving or a ban ends it), and the runners."""
    if not is_active(actor):
        return False
    role = role_of(actor, event.community)
    return role in RUNNERS or (event.author_id == actor.id and role in JOINED)


def changeable_event(actor: Member, event_id: int) -> Event:
    """An event the actor may edit or delete: whoever made it while a member, and the owner and moderators."""
    event = get_event(actor, event_id)
    if not can_change_event(actor, event):
        raise Forbidden(_("イベントを変えられるのは作った人と管理人・副管理人です。"))
    return event


def update_event(actor: Member, event_id: int, *, title: str, starts_at: datetime | None, place: str,
                 description: str) -> Event:
    event = changeable_event(actor, event_id)
    event.title, event.starts_at, event.place, event.description = check_event(title, starts_at, place, description)
    db.session.commit()
    return event


def delete_event(actor: Member, event_id: int) -> Community:
    event = changeable_event(actor, event_id)
    community = event.community
    _remove(event)
    db.session.commit()
    return community


def _remove(event: Event) -> None:
    db.session.execute(delete(Attendance).where(Attendance.event_id == event.id))
    db.session.delete(event)


def remove_for_tsuho(actor: Member, event_id: int) -> None:
    """A 通報 upheld: the event goes (moderation.py has decided the actor may; the caller commits)."""
    event = db.session.get(Event, event_id)
    if event is not None:
        _remove(event)
        db.session.flush()


def upcoming_in(viewer: Member, community: Community, limit: int = 5) -> list[Event]:
    if not can_read_topics(viewer, community):
        return []
    return list(db.session.scalars(
        select(Event).where(Event.community_id == community.id, Event.starts_at >= start_of_today_jst())
        .order_by(Event.starts_at, Event.id).limit(limit)))


def events_of(viewer: Member, community: Community, *, past: bool, page: int, per_page: int) -> Page:
    """A community's events: coming ones soonest first, or past ones latest first."""
    if not can_read_topics(viewer, community):
        raise Forbidden(_("このコミュニティのイベントはメンバーだけが見られます。"))
    since = start_of_today_jst()
    stmt = select(Event).where(Event.community_id == community.id)
    stmt = (stmt.where(Event.starts_at < since).order_by(Event.starts_at.desc(), Event.id.desc()) if past
            else stmt.where(Event.starts_at >= since).order_by(Event.starts_at, Event.id))
    return paginate(stmt, page, per_page)


def upcoming_for(member: Member, page: int, per_page: int) -> Page:
    """Upcoming events across the communities I belong to."""
    mine = select(Membership.community_id).where(Membership.member_id == member.id, Membership.role.in_(JOINED))
    stmt = (select(Event).where(Event.community_id.in_(mine), Event.starts_at >= start_of_today_jst())
            .options(joinedload(Event.community))
            .order_by(Event.starts_at, Event.id))
    return paginate(stmt, page, per_page)


# --- attendance ---------------------------------------------------------------------------------------------

def attend(actor: Member, event_id: int, status: str) -> None:
    event = get_event(actor, event_id)
    require_role(actor, event.community, JOINED, _("出欠を出せるのはメンバーだけです。"))
    if status not in (GOING, NOT_GOING):
        raise Invalid(_("出欠を選んでください。"))
    current = db.session.get(Attendance, (event.id, actor.id))
    if current is None:
        db.session.add(Attendance(event_id=event.id, member_id=actor.id, status=status))
    else:
        current.status = status
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # answered twice at once; the first answer stands


def attendance_of(event: Event) -> tuple[list[Attendance], list[Attendance]]:
    rows = db.session.scalars(select(Attendance).where(Attendance.event_id == event.id)
                              .options(selectinload(Attendance.member)).limit(500)).all()
    return [a for a in rows if a.status == GOING], [a for a in rows if a.status == NOT_GOING]


def my_attendance(member: Member, event: Event) -> str | None:
    found = db.session.get(Attendance, (event.id, member.id))
    return found.status if found else None


def going_counts(events: Sequence[Event]) -> dict[int, int]:
    ids = [e.id for e in events]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Attendance.event_id, func.count()).where(Attendance.event_id.in_(ids), Attendance.status == GOING)
        .group_by(Attendance.event_id)).all())
