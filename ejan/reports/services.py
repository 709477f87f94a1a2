"""通報: what may be reported, by whom, and storing it once.

A reporter may report only what they can see (each feature's own getter decides), never their own
thing, and once per thing: a second send returns the first 通報. The administration's queue reads
`open_tsuho()`.
"""
from __future__ import annotations

from flask_babel import format_number, gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..errors import Invalid, NotFound, Problems
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from . import targets
from .models import OPEN, REASONS, Tsuho
from .targets import Target

DETAIL_MAX = 1000


def target(reporter: Member, kind: str, target_id: int) -> Target:
    """The thing `reporter` wants to report, if they can see it and it is not their own."""
    if not access.is_active(reporter):
        raise NotFound(_("見つかりません。"))
    registered = targets.kinds().get(kind)
    if registered is None:
        raise NotFound(_("通報できるものが見つかりません。"))
    found = registered.lookup(reporter, target_id)
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
                  detail=detail, status=OPEN, author_id=found.author_id or None,
                  community_id=found.community_id)
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
