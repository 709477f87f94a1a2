"""Lists of surveys: those addressed to a member, those they built, and a community's."""
from __future__ import annotations

from sqlalchemy import false, or_, select

from ..clock import utcnow
from ..communities import access as communities
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from . import access
from .models import COMMUNITY, Participation, Survey


def open_for(member: Member, page: int, per_page: int) -> Page:
    """Published, not yet closed surveys addressed to the member, soonest deadline first."""
    now = utcnow()
    stmt = (select(Survey).where(Survey.published_at.is_not(None), Survey.closed_early_at.is_(None),
                                 Survey.closes_at > now, Survey.opens_at <= now, access.addressed_to(member))
            .order_by(Survey.closes_at, Survey.id))
    return paginate(stmt, page, per_page)


def built_by(member: Member, limit: int = 20) -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.creator_id == member.id)
                                   .order_by(Survey.created_at.desc(), Survey.id.desc()).limit(limit)))


def of_community(viewer: Member, community, page: int, per_page: int) -> tuple[Page, bool]:
    """A community's surveys for this viewer: members see the published ones, runners the drafts too.

    Returns the page and whether the viewer may build one here."""
    role = communities.role_of(viewer, community)
    runner = role in communities.runner_roles()
    stmt = select(Survey).where(Survey.audience == COMMUNITY, Survey.community_id == community.id)
    if not runner:
        if role not in communities.JOINED:
            stmt = stmt.where(false())
        stmt = stmt.where(or_(Survey.published_at.is_not(None), Survey.creator_id == viewer.id))
    return paginate(stmt.order_by(Survey.opens_at.desc(), Survey.id.desc()), page, per_page), runner


def answered_ids(member: Member, surveys) -> set[int]:
    ids = [s.id for s in surveys]
    if not ids:
        return set()
    return set(db.session.scalars(select(Participation.survey_id).where(Participation.member_id == member.id,
                                                                          Participation.survey_id.in_(ids))))
