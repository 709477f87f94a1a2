"""Surveys' part of 退会 (docs/leaving.md): who took part is forgotten; answers given under the member's name are
deleted; answers to anonymous surveys stay, as they were, linked to no one. The member's unpublished drafts go;
published surveys they made stay, made by 「退会したメンバー」."""
from __future__ import annotations

from sqlalchemy import delete, select

from .. import signals
from ..extensions import db
from . import results as tally
from .models import Answer, Participation, Response, Survey


@signals.member_leaving.connect
def _forget_answers(member, **unused) -> None:
    named = select(Response.id).where(Response.member_id == member.id).scalar_subquery()
    for survey_id in db.session.scalars(select(Response.survey_id).where(Response.member_id == member.id)):
        tally.forget_figures(survey_id)  # their answers leave the results now, not when the kept counts run out
    db.session.execute(delete(Answer).where(Answer.response_id.in_(named)))
    db.session.execute(delete(Response).where(Response.member_id == member.id))
    db.session.execute(delete(Participation).where(Participation.member_id == member.id))
    for draft in db.session.scalars(select(Survey).where(Survey.creator_id == member.id, Survey.published_at.is_(None))):
        db.session.delete(draft)  # its questions and options go with it (the relationship's cascade)
