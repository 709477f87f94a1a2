"""Who someone is in a community and what that lets them see: the checks every community rule starts from.

Roles: owner (one), moderators, members; `pending` asked to join, `banned` may not rejoin.
Administrators are ordinary members here; they act on community content through the moderation queue.
"""
from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from sqlalchemy.orm import aliased

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..members.access import is_active  # noqa: F401  the site-wide rule; community modules import it from here
from ..members.models import Member
from .models import JOINED, RUNNERS, SITE, Community, Membership


def role_of(viewer: Member | None, community: Community) -> str | None:
    if not is_active(viewer):
        return None
    return role_of_id(community.id, viewer.id)


def role_of_id(community_id: int, member_id: int) -> str | None:
    """The stored role, whoever is asking (a runner looking at someone else's row)."""
    return db.session.scalar(select(Membership.role).where(
        Membership.community_id == community_id, Membership.member_id == member_id))


def runs(member_id: int, community_id: int | None) -> bool:
    """Is the member an owner or moderator of the community? Other features (map pins) ask this."""
    return community_id is not None and role_of_id(community_id, member_id) in RUNNERS


def run_by(member_id: int, community_column):
    """runs(member_id, community_column) as a SQL EXISTS, for lists in other features."""
    return exists().where(Membership.community_id == community_column, Membership.member_id == member_id,
                          Membership.role.in_(RUNNERS))


# The `role` of the rules below: the viewer's role as a page already asked it (None: not a member), or
# NOT_ASKED, and the rule asks. A page asks once and hands it on (one statement, not one per rule).
NOT_ASKED = "?"


def _role(viewer: Member, community: Community, role: str | None) -> str | None:
    return role_of(viewer, community) if role == NOT_ASKED else role


def can_read_topics(viewer: Member | None, community: Community, role: str | None = NOT_ASKED) -> bool:
    if not is_active(viewer):
        return False
    if community.topic_visibility == SITE:
        return True
    return _role(viewer, community, role) in JOINED


def can_post(viewer: Member | None, community: Community, role: str | None = NOT_ASKED) -> bool:
    return is_active(viewer) and _role(viewer, community, role) in JOINED


def require_role(viewer: Member, community: Community, allowed: Sequence[str], message: str) -> str:
    if not is_active(viewer):
        raise Forbidden(_("ログインしてください。"))
    role = role_of(viewer, community)
    if role not in allowed:
        raise Forbidden(message)
    return role


def get_community(viewer: Member | None, community_id: int) -> Community:
    """Community pages are for logged-in members; the description is open to all of them."""
    if not is_active(viewer):
        raise Forbidden(_("ログインしてください。"))
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound(_("コミュニティが見つかりません。"))
    return community


def touch(community_id: int, moment) -> None:
    """A new topic, comment or event moves the community up the directory's "activity" order."""
    db.session.execute(update(Community).where(Community.id == community_id)
                       .values(last_activity_at=moment).execution_options(synchronize_session=False))


def runner_roles() -> tuple[str, ...]:
    """The roles that run a community (and so may, for instance, ask its members a survey)."""
    return RUNNERS


def joined_community_ids(member_id: int):
    """The communities a member has joined, as a subquery (for IN): is `role_of_id(...) in JOINED` for lists."""
    return select(Membership.community_id).where(Membership.member_id == member_id, Membership.role.in_(JOINED))


def share_a_community(a_id: int, b_id: int) -> bool:
    """Are both joined members of at least one community? (Disaster check-ins shown to "my communities".)"""
    return db.session.scalar(select(shares_a_community_with(a_id, b_id))) is True


def joined_ids(member_id: int):
    """The ids of the communities a member has joined, as a select (for IN or UNION)."""
    return select(Membership.community_id).where(Membership.member_id == member_id, Membership.role.in_(JOINED))


def joined_members(community_ids: Sequence[int] | None = None):
    """(community_id, member_id) of everyone who has joined these communities (all communities: None), as a
    select."""
    found = select(Membership.community_id, Membership.member_id).where(Membership.role.in_(JOINED))
    return found if community_ids is None else found.where(Membership.community_id.in_(community_ids))


def shares_a_community_with(member_id: int, column):
    """share_a_community(member_id, column) as a SQL EXISTS; `column` may be a column of the outer query."""
    mine, theirs = aliased(Membership), aliased(Membership)
    return (exists().where(mine.member_id == member_id, mine.role.in_(JOINED),
                           theirs.community_id == mine.community_id, theirs.member_id == column,
                           theirs.role.in_(JOINED)))
