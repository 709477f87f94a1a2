"""Building a survey and moving it along: draft → open → closed, with its questions and notifications."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import fields
from ..cleaning import clean_text, single_line
from ..clock import to_jst, utcnow
from ..dbutil import form_token
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members.models import DISTRICTS as CITY_DISTRICTS, Member
from ..notify.api import notify
from ..urls import absolute_url, link_for
from . import access
from .models import (COMMUNITY, DISTRICTS, DRAFT, EVERYONE, KINDS, MULTIPLE, OPEN, SCHEDULED, SINGLE, TEXT,
                     Option, Question, Response, Survey, SurveyDistrict)

TITLE_MAX = 100
DESCRIPTION_MAX = 5_000
PROMPT_MAX = 200
HELP_MAX = 1_000
OPTION_MAX = 100
OPTIONS_MAX = 20
QUESTIONS_MAX = 50
TEXT_DEFAULT = 1_000
TEXT_LIMIT = 5_000
LONGEST = timedelta(days=366)
REMIND_EVERY = timedelta(hours=24)


# --- the survey itself -----------------------------------------------------------------------------------

def check_survey(title: str, description: str, opens_at: datetime | None, closes_at: datetime | None,
                 audience: str, districts: Sequence[str]):
    description = clean_text(description or "").strip()
    problems = Problems()
    title = fields.title(problems, title, TITLE_MAX)
    if len(description) > DESCRIPTION_MAX:
        problems.add(_("説明は%(max)d文字以内にしてください。", max=DESCRIPTION_MAX), "description")
    if opens_at is None:
        problems.add(_("開始日時を入力してください。"), "opens_date")
    if closes_at is None:
        problems.add(_("締切日時を入力してください。"), "closes_date")
    if opens_at and closes_at:
        if closes_at <= opens_at:
            problems.add(_("締切は開始より後にしてください。"), "closes_date")
        elif closes_at - opens_at > LONGEST:
            problems.add(_("期間は1年以内にしてください。"), "closes_date")
    districts = sorted(set(districts or ()))
    if audience == DISTRICTS:
        if not districts:
            problems.add(_("対象の地区を選んでください。"), "districts")
        elif not set(districts) <= set(CITY_DISTRICTS):
            problems.add(_("対象の地区を一覧から選んでください。"), "districts")
    elif audience not in (COMMUNITY, EVERYONE):
        problems.add(_("対象を選んでください。"), "audience")
    problems.raise_any()
    return title, description, districts


def create_survey(creator: Member, *, title: str, description: str = "", opens_at: datetime | None,
                  closes_at: datetime | None, community_id: int | None = None, audience: str = EVERYONE,
                  districts: Sequence[str] = (), anonymous: bool = False, editable: bool = False,
                  results_public: bool = False, submit_token: str | None = None) -> Survey:
    """A draft survey. With community_id it asks that community (its runners only); else the city (admins)."""
    if community_id is not None:
        if not access.can_build_for_community(creator, community_id):
            raise Forbidden(_("アンケートを作れるのはコミュニティの管理人と副管理人だけです。"))
        audience, districts = COMMUNITY, ()
    elif not access.can_build_for_city(creator):
        raise Forbidden(_("市全体へのアンケートを作れるのは管理者だけです。"))
    title, description, districts = check_survey(title, description, opens_at, closes_at, audience, districts)
    token = form_token(submit_token)
    if token:
        earlier = db.session.scalar(select(Survey).where(Survey.creator_id == creator.id, Survey.submit_token == token))
        if earlier is not None:
            return earlier  # the same form sent twice
    survey = Survey(creator_id=creator.id, audience=audience, community_id=community_id, title=title,
                    description=description, anonymous=anonymous, editable=editable and not anonymous,
                    results_public=results_public, opens_at=opens_at, closes_at=closes_at, submit_token=token,
                    districts=[SurveyDistrict(district=d) for d in districts])
    db.session.add(survey)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(select(Survey).where(Survey.creator_id == creator.id, Survey.submit_token == token))
        if earlier is None:
            raise
        return earlier
    return survey


def has_responses(survey_id: int) -> bool:
    return db.session.scalar(select(exists().where(Response.survey_id == survey_id))) is True


def update_survey(actor: Member, survey_id: int, *, title: str, description: str, opens_at: datetime | None,
                  closes_at: datetime | None, audience: str | None = None, districts: Sequence[str] = (),
                  anonymous: bool, editable: bool, results_public: bool) -> Survey:
    """Title, description and times change any time before closing; who is asked and how answers are
    kept only while nobody has answered."""
    survey = access.managed_survey(actor, survey_id)
    if survey.state() == "closed":
        raise Invalid(_("締め切ったアンケートは変更できません。"))
    audience = survey.audience if survey.audience == COMMUNITY else (audience or survey.audience)
    title, description, districts = check_survey(title, description, opens_at, closes_at, audience, districts)
    answered = has_responses(survey.id)
    if answered and (anonymous != survey.anonymous or audience != survey.audience
                     or (audience == DISTRICTS and districts != sorted(survey.district_names))):
        raise Invalid(_("回答があるため、対象と匿名の設定は変更できません。"))
    survey.title, survey.description, survey.opens_at, survey.closes_at = title, description, opens_at, closes_at
    survey.anonymous, survey.editable, survey.results_public = anonymous, editable and not anonymous, results_public
    if not answered and audience != COMMUNITY:
        survey.audience = audience
        survey.districts = [SurveyDistrict(district=d) for d in (districts if audience == DISTRICTS else ())]
    db.session.commit()
    return survey


# --- questions ----------------------------------------------------------------------------------------------

def _editable_questions(actor: Member, survey_id: int) -> Survey:
    survey = access.managed_survey(actor, survey_id)
    if survey.state() == "closed":
        raise Invalid(_("締め切ったアンケートは変更できません。"))
    if has_responses(survey.id):
        raise Invalid(_("回答が届いているため、質問は変更できません。"))
    return survey


def check_question(kind: str, prompt: str, help_text: str, options: str | Sequence[str],
                   max_choices: int | None, max_length: int | None):
    prompt, help_text = single_line(prompt or ""), clean_text(help_text or "").strip()
    if isinstance(options, str):
        options = clean_text(options).splitlines()
    labels = [single_line(o) for o in options if single_line(o)]
    problems = Problems()
    if kind not in KINDS:
        problems.add(_("質問の種類を選んでください。"), "kind")
    if not prompt:
        problems.add(_("質問文を入力してください。"), "prompt")
    elif len(prompt) > PROMPT_MAX:
        problems.add(_("質問文は%(max)d文字以内にしてください。", max=PROMPT_MAX), "prompt")
    if len(help_text) > HELP_MAX:
        problems.add(_("補足は%(max)d文字以内にしてください。", max=HELP_MAX), "help")
    if kind in (SINGLE, MULTIPLE):
        if len(labels) < 2:
            problems.add(_("選択肢を2つ以上、1行に1つずつ入力してください。"), "options")
        elif len(labels) > OPTIONS_MAX:
            problems.add(_("選択肢は%(max)d個までです。", max=OPTIONS_MAX), "options")
        elif any(len(label) > OPTION_MAX for label in labels):
            problems.add(_("選択肢は1つ%(max)d文字以内にしてください。", max=OPTION_MAX), "options")
        elif len(set(labels)) != len(labels):
            problems.add(_("同じ選択肢が2回あります。"), "options")
    else:
        labels = []
    if kind == MULTIPLE and max_choices is not None and not 1 <= max_choices <= max(len(labels), 1):
        problems.add(_("選べる数の上限は1から選択肢の数までにしてください。"), "max_choices")
    if kind == TEXT and max_length is not None and not 1 <= max_length <= TEXT_LIMIT:
        problems.add(_("文字数の上限は1から%(max)dまでにしてください。", max=TEXT_LIMIT), "max_length")
    problems.raise_any()
    return (prompt, help_text, labels, max_choices if kind == MULTIPLE else None,
            (max_length or TEXT_DEFAULT) if kind == TEXT else None)


def add_question(actor: Member, survey_id: int, *, kind: str, prompt: str, help_text: str = "",
                 required: bool = False, options: str | Sequence[str] = (), max_choices: int | None = None,
                 max_length: int | None = None) -> Question:
    survey = _editable_questions(actor, survey_id)
    prompt, help_text, labels, max_choices, max_length = check_question(kind, prompt, help_text, options,
                                                                        max_choices, max_length)
    if len(survey.questions) >= QUESTIONS_MAX:
        raise Invalid(_("質問は%(max)d問までです。", max=QUESTIONS_MAX))
    position = max((q.position for q in survey.questions), default=0) + 1
    question = Question(survey_id=survey.id, position=position, kind=kind, prompt=prompt, help=help_text,
                        required=required, max_choices=max_choices, max_length=max_length,
                        options=[Option(position=i, label=label) for i, label in enumerate(labels, 1)])
    db.session.add(question)
    db.session.commit()
    return question


def _question_of(survey: Survey, question_id: int) -> Question:
    for question in survey.questions:
        if question.id == question_id:
            return question
    raise NotFound(_("質問が見つかりません。"))


def question_for_edit(actor: Member, survey_id: int, question_id: int) -> Question:
    return _question_of(access.managed_survey(actor, survey_id), question_id)


def update_question(actor: Member, survey_id: int, question_id: int, *, kind: str, prompt: str,
                    help_text: str = "", required: bool = False, options: str | Sequence[str] = (),
                    max_choices: int | None = None, max_length: int | None = None) -> Question:
    survey = _editable_questions(actor, survey_id)
    question = _question_of(survey, question_id)
    prompt, help_text, labels, max_choices, max_length = check_question(kind, prompt, help_text, options,
                                                                        max_choices, max_length)
    question.kind, question.prompt, question.help, question.required = kind, prompt, help_text, required
    question.max_choices, question.max_length = max_choices, max_length
    question.options = [Option(position=i, label=label) for i, label in enumerate(labels, 1)]
    db.session.commit()
    return question


def delete_question(actor: Member, survey_id: int, question_id: int) -> None:
    survey = _editable_questions(actor, survey_id)
    survey.questions.remove(_question_of(survey, question_id))
    db.session.commit()


def move_question(actor: Member, survey_id: int, question_id: int, step: int) -> None:
    """Swap a question with its neighbour above (step -1) or below (+1)."""
    survey = _editable_questions(actor, survey_id)
    questions = list(survey.questions)
    index = questions.index(_question_of(survey, question_id))
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(questions):
        questions[index].position, questions[other].position = questions[other].position, questions[index].position
        db.session.commit()


# --- the life of a survey -------------------------------------------------------------------------------------

def publish(actor: Member, survey_id: int) -> Survey:
    """Draft → open (or scheduled, until its opening time). Members are told when it opens."""
    survey = access.managed_survey(actor, survey_id)
    if survey.state() != DRAFT:
        raise Invalid(_("このアンケートはもう公開されています。"))
    if not survey.questions:
        raise Invalid(_("質問を1つ以上作ってから公開してください。"))
    now = utcnow()
    if survey.closes_at <= now:
        raise Invalid(_("締切日時が過ぎています。締切を変えてから公開してください。"))
    db.session.execute(update(Survey).where(Survey.id == survey.id, Survey.published_at.is_(None))
                       .values(published_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(survey)
    announce_if_due(survey)
    return survey


def close_early(actor: Member, survey_id: int) -> Survey:
    survey = access.managed_survey(actor, survey_id)
    if survey.state() not in (OPEN, SCHEDULED):
        raise Invalid(_("受付中のアンケートだけを締め切れます。"))
    db.session.execute(update(Survey).where(Survey.id == survey.id, Survey.closed_early_at.is_(None))
                       .values(closed_early_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(survey)
    return survey


def _payload(survey: Survey, *, mail: str) -> dict:
    return {"subject": survey.title, "link": link_for("surveys.show", survey_id=survey.id),
            "actor_id": survey.creator_id, "mail": mail,
            "context": {"title": survey.title, "url": absolute_url("surveys.show", survey_id=survey.id),
                        "closes_at": to_jst(survey.ends_at).strftime("%Y/%m/%d %H:%M")}}


def announce_if_due(survey: Survey) -> bool:
    """Tell the audience once the survey is open: the conditional update lets exactly one caller send it
    (the publish itself, a later page view, or `flask announce-surveys` from cron)."""
    if survey.state() != OPEN or survey.announced_at is not None:
        return False
    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.announced_at.is_(None), Survey.published_at.is_not(None))
        .values(announced_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed:
        notify(access.audience_of(survey), "survey_opened", _payload(survey, mail="survey_opened"))
    return bool(claimed)


def announce_due() -> int:
    """Announce every survey whose opening time has come; for a cron job, since scheduled surveys open by the clock."""
    now = utcnow()
    due = db.session.scalars(select(Survey).where(Survey.published_at.is_not(None), Survey.announced_at.is_(None),
                                                  Survey.opens_at <= now, Survey.closes_at > now,
                                                  Survey.closed_early_at.is_(None))).all()
    return sum(announce_if_due(survey) for survey in due)


def remind(actor: Member, survey_id: int) -> int:
    """Remind those in the audience who have not answered; at most once a day, whoever presses."""
    survey = access.managed_survey(actor, survey_id)
    if survey.state() != OPEN:
        raise Invalid(_("受付中のアンケートだけ、お知らせを送れます。"))
    now = utcnow()
    claimed = db.session.execute(
        update(Survey).where(Survey.id == survey.id,
                             (Survey.reminded_at.is_(None)) | (Survey.reminded_at <= now - REMIND_EVERY))
        .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        raise Invalid(_("お知らせは1日に1回までです。"))
    member_ids = list(db.session.scalars(access.member_ids_not_answered(survey)))
    if member_ids:
        notify(member_ids, "survey_reminder", _payload(survey, mail="survey_reminder"))
    return len(member_ids)


def question_counts(survey_ids: Sequence[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    return dict(db.session.execute(select(Question.survey_id, func.count()).where(Question.survey_id.in_(survey_ids))
                                   .group_by(Question.survey_id)).all())
