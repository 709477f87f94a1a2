"""通報: what may be reported, by whom, and storing it once.

A reporter may report only what they can see (each feature's own getter decides), never their own
thing, and once per thing: a second send returns the first 通報. The administration's queue reads
`open_tsuho()`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask_babel import format_number, gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..errors import Invalid, NotFound, Problems
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from .models import (DIARY_COMMENT, DIARY_ENTRY, EVENT, KINDS, MEMBER, OPEN, REASONS, TOPIC, TOPIC_COMMENT,
                     Tsuho)

DETAIL_MAX = 1000


@dataclass(frozen=True)
class Target:
    """The thing being reported, as the form page shows it and links back to it."""

    kind: str
    id: int
    label: str
    author_id: int
    endpoint: str
    args: dict = field(default_factory=dict)


# Each kind's lookup goes through its feature's own "may this member see it" getter, so 通報 never
# knows less than the pages do. Imported late: the features import nothing from here.
def _diary_entry(viewer: Member, target_id: int) -> Target:
    from ..diary import services as diary
    entry = diary.get_entry(viewer, target_id)
    return Target(DIARY_ENTRY, entry.id, entry.title, entry.author_id, "diary.show", {"entry_id": entry.id})


def _diary_comment(viewer: Member, target_id: int) -> Target:
    from ..diary import services as diary
    comment = diary.get_comment(viewer, target_id)
    return Target(DIARY_COMMENT, comment.id, comment.body, comment.author_id, "diary.comment_page",
                  {"comment_id": comment.id})


def _topic(viewer: Member, target_id: int) -> Target:
    from ..communities import topics as communities
    topic = communities.get_topic(viewer, target_id)
    return Target(TOPIC, topic.id, topic.title, topic.author_id, "communities.topic", {"topic_id": topic.id})


def _topic_comment(viewer: Member, target_id: int) -> Target:
    from ..communities import topics as communities
    comment = communities.get_comment(viewer, target_id)
    return Target(TOPIC_COMMENT, comment.id, comment.body, comment.author_id, "communities.comment_page",
                  {"comment_id": comment.id})


def _event(viewer: Member, target_id: int) -> Target:
    from ..communities import events as communities
    event = communities.get_event(viewer, target_id)
    return Target(EVENT, event.id, event.title, event.author_id, "communities.event", {"event_id": event.id})


def _member(viewer: Member, target_id: int) -> Target:
    from ..members import services as members
    member = members.visible_member(viewer, target_id)
    return Target(MEMBER, member.id, member.nickname, member.id, "members.profile", {"member_id": member.id})


LOOKUPS: dict[str, Callable[[Member, int], Target]] = {
    DIARY_ENTRY: _diary_entry, DIARY_COMMENT: _diary_comment, TOPIC: _topic, TOPIC_COMMENT: _topic_comment,
    EVENT: _event, MEMBER: _member,
    # "pin" is reserved for the maps feature; until it registers a lookup, pins cannot be reported.
}


def target(reporter: Member, kind: str, target_id: int) -> Target:
    """The thing `reporter` wants to report, if they can see it and it is not their own."""
    if not access.is_active(reporter):
        raise NotFound(_("見つかりません。"))
    lookup = LOOKUPS.get(kind) if kind in KINDS else None
    if lookup is None:
        raise NotFound(_("通報できるものが見つかりません。"))
    found = lookup(reporter, target_id)
    if found.author_id == reporter.id:
        raise Invalid(_("自分が書いたものは通報できません。"), code="target")
    return found


def already_reported(reporter: Member, kind: str, target_id: int) -> Tsuho | None:
    return db.session.scalar(select(Tsuho).where(Tsuho.reporter_id == reporter.id, Tsuho.target_kind == kind,
                                                 Tsuho.target_id == target_id))


def check_report(reason: str, detail: str) -> str:
    """The reason and the detail (trimmed) of a 通報; every fault at once."""
    detail = (detail or "").strip()
    problems = Problems()
    if reason not in REASONS:
        problems.add(_("理由を選んでください。"), "reason")
    if len(detail) > DETAIL_MAX:
        problems.add(_("詳しい内容は%(count)s文字以内にしてください。", count=format_number(DETAIL_MAX)), "detail")
    problems.raise_any()
    return detail


def report(reporter: Member, kind: str, target_id: int, *, reason: str, detail: str = "") -> tuple[Tsuho, bool]:
    """Store a 通報. Returns it and whether it is new (False: this member had already reported it)."""
    found = target(reporter, kind, target_id)
    detail = check_report(reason, detail)
    earlier = already_reported(reporter, found.kind, found.id)
    if earlier is not None:
        return earlier, False
    tsuho = Tsuho(reporter_id=reporter.id, target_kind=found.kind, target_id=found.id, reason=reason,
                  detail=detail, status=OPEN)
    db.session.add(tsuho)
    try:
        db.session.commit()
    except IntegrityError:
        # Sent twice at the same moment: the unique (reporter, target) let one through.
        db.session.rollback()
        return already_reported(reporter, found.kind, found.id), False
    return tsuho, True


def open_tsuho(page: int, per_page: int) -> Page:
    """The administrators' queue: open 通報, oldest first."""
    stmt = (select(Tsuho).where(Tsuho.status == OPEN).options(selectinload(Tsuho.reporter))
            .order_by(Tsuho.created_at, Tsuho.id))
    return paginate(stmt, page, per_page)
