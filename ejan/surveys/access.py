"""Who may build, see, answer and read the results of a survey: each rule once, with its SQL twin for lists.

- build: a community's owner and moderators (audience: that community's members); administrators
  (audience: every member, or the members of chosen districts).
- manage (edit, open, close, remind, results, CSV): the creator, and whoever holds that power now
  (the community's runners, or any administrator for a city survey).
- see and answer: the audience, once the survey is published; a draft only its managers.
- results: managers always; those who answered after closing, when the creator chose so.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, or_, select

from ..communities import access as communities
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..notify.api import Audience
from .models import CLOSED, COMMUNITY, DISTRICTS, EVERYONE, Participation, Survey, SurveyDistrict


# --- building ------------------------------------------------------------------------------------------

def can_build_for_community(member: Member | None, community_id: int) -> bool:
    return access.is_active(member) and \
        communities.role_of_id(community_id, member.id) in communities.runner_roles()


def can_build_for_city(member: Member | None) -> bool:
    return access.is_active(member) and member.is_admin


def can_manage(member: Member | None, survey: Survey) -> bool:
    if not access.is_active(member):
        return False
    if survey.creator_id == member.id:
        return True
    if survey.audience == COMMUNITY:
        return communities.role_of_id(survey.community_id, member.id) in communities.runner_roles()
    return member.is_admin


# --- the audience ---------------------------------------------------------------------------------------

def in_audience(member: Member | None, survey: Survey) -> bool:
    """The survey is addressed to this member (whatever its state)."""
    if not access.is_active(member):
        return False
    if survey.audience == COMMUNITY:
        return communities.role_of_id(survey.community_id, member.id) in communities.JOINED
    if survey.audience == DISTRICTS:
        return member.district is not None and member.district in survey.district_names
    return survey.audience == EVERYONE


def addressed_to(member: Member | None):
    """in_audience() as a SQL condition on Survey, for lists."""
    if not access.is_active(member):
        return false()
    return or_(
        Survey.audience == EVERYONE,
        and_(Survey.audience == DISTRICTS,
             exists().where(SurveyDistrict.survey_id == Survey.id, SurveyDistrict.district == member.district)),
        and_(Survey.audience == COMMUNITY, Survey.community_id.in_(communities.joined_community_ids(member.id))),
    )


def audience_of(survey: Survey) -> Audience:
    """The same audience as notify resolves it (active members only), for announcements and reminders."""
    if survey.audience == COMMUNITY:
        return Audience(community_id=survey.community_id)
    if survey.audience == DISTRICTS:
        return Audience(districts=tuple(survey.district_names))
    return Audience(everyone=True)


def can_see(member: Member | None, survey: Survey) -> bool:
    if can_manage(member, survey):
        return True
    return survey.published_at is not None and in_audience(member, survey)


def has_answered(member_id: int, survey_id: int) -> bool:
    return db.session.get(Participation, (survey_id, member_id)) is not None


def can_see_results(member: Member | None, survey: Survey) -> bool:
    if can_manage(member, survey):
        return True
    return (survey.results_public and survey.state() == CLOSED and access.is_active(member)
            and has_answered(member.id, survey.id))


# --- getters the views call ------------------------------------------------------------------------------

def get_survey(viewer: Member | None, survey_id: int) -> Survey:
    """A survey the viewer may see; one they may not does not exist for them."""
    if not access.is_active(viewer):
        raise Forbidden(_("ログインしてください。"))
    survey = db.session.get(Survey, survey_id)
    if survey is None or not can_see(viewer, survey):
        raise NotFound(_("アンケートが見つかりません。"))
    return survey


def managed_survey(actor: Member | None, survey_id: int) -> Survey:
    survey = get_survey(actor, survey_id)
    if not can_manage(actor, survey):
        raise Forbidden(_("このアンケートを管理できるのは作成者と管理人だけです。"))
    return survey


def survey_with_results(viewer: Member | None, survey_id: int) -> Survey:
    survey = get_survey(viewer, survey_id)
    if not can_see_results(viewer, survey):
        raise Forbidden(_("結果は締め切り後に、回答した人だけが見られます（作成者が公開を選んだ場合）。"))
    return survey


def member_ids_not_answered(survey: Survey):
    """The audience minus those who took part, as a statement of member ids (for reminders)."""
    return audience_of(survey).member_ids_statement().where(
        Member.id.not_in(select(Participation.member_id).where(Participation.survey_id == survey.id)))
