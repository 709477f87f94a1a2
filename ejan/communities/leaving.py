"""Communities' part of 退会 (docs/leaving.md).

What the member wrote in communities (topics, comments, events) stays, its author shown as 「退会したメンバー」,
so the others' conversation still reads. Their memberships, join requests, event answers and topic follows go.
A community they own must first be handed over when it has another member; one with no other member is closed:
deleted with what is in it (its topics, events and surveys), since no one is left to run or read it.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import aliased

from .. import signals
from ..errors import Invalid
from ..extensions import db
from . import counts
from .models import JOINED, Attendance, Community, Membership, TopicFollow


def _owned(member_id: int, *, shared: bool):
    """The communities the member owns that have (shared) or have not another joined member."""
    other = aliased(Membership)
    someone_else = exists().where(other.community_id == Community.id, other.member_id != member_id,
                                  other.role.in_(JOINED))
    return select(Community).where(Community.owner_id == member_id, someone_else if shared else ~someone_else)


@signals.member_leaving_check.connect
def _hand_over_first(member, **unused) -> list:
    notes = [signals.LeavingNote(_("「%(name)s」の管理人を引き継いでください。", name=community.name),
                                 "communities.handover", {"community_id": community.id}, blocking=True)
             for community in db.session.scalars(_owned(member.id, shared=True).order_by(Community.id))]
    notes += [signals.LeavingNote(_("「%(name)s」はほかのメンバーがいないため、閉鎖されます。", name=community.name))
              for community in db.session.scalars(_owned(member.id, shared=False).order_by(Community.id))]
    return notes


@signals.member_leaving.connect
def _leave_communities(member, **unused) -> list[str]:
    # Checked again inside the transaction: someone may have joined since the member read the leaving page.
    if db.session.scalar(select(_owned(member.id, shared=True).exists())):
        raise Invalid(_("管理人を引き継いでいないコミュニティがあります。"))
    closing = list(db.session.scalars(_owned(member.id, shared=False)))
    keys = [community.image_key for community in closing if community.image_key]
    counts.member_gone(member.id)
    db.session.execute(delete(Membership).where(Membership.member_id == member.id))
    db.session.execute(delete(Attendance).where(Attendance.member_id == member.id))
    db.session.execute(delete(TopicFollow).where(TopicFollow.member_id == member.id))
    if closing:  # their rows go by the foreign keys' ON DELETE CASCADE (a pin only loses its community)
        db.session.execute(delete(Community).where(Community.id.in_([c.id for c in closing]))
                           .execution_options(synchronize_session=False))
    return keys
