"""Answering a survey: checking the answers, one response per member, editing when allowed.

Answers travel as plain values: {question_id: [raw value, ...]} (option ids as text, a scale point,
or the free text), the way an HTML form sends them, from a PC's one page or a keitai's pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..cleaning import clean_text
from ..clock import utcnow
from ..dbutil import as_id
from ..errors import Forbidden, Invalid, Problems
from ..extensions import db
from ..members.models import Member
from . import access, results as tally
from .models import CLOSED, MULTIPLE, OPEN, SCALE, SCALE_POINTS, SINGLE, TEXT, Answer, Participation, Question, \
    Response, Survey

Raw = Mapping[int, Sequence[str]]


@dataclass(frozen=True)
class Value:
    """One checked answer value, as stored."""
    question_id: int
    option_id: int | None = None
    scale: int | None = None
    text: str | None = None


def field(question: Question) -> str:
    """The form field of a question (q<id>): shared by the templates and the views."""
    return f"q{question.id}"


def check_question(question: Question, raw: Sequence[str]) -> list[Value]:
    """One question's answer, checked; raises Invalid with the question's field as its code."""
    code = field(question)
    raw = [value for value in (raw or ()) if isinstance(value, str) and value.strip()]
    if question.kind == TEXT:
        text = clean_text(raw[0]).strip() if raw else ""
        if not text:
            if question.required:
                raise Invalid(_("この質問は回答が必要です。"), code=code)
            return []
        if len(text) > (question.max_length or 0):
            raise Invalid(_("%(max)d文字以内で書いてください（いまは%(length)d文字です）。",
                            max=question.max_length, length=len(text)), code=code)
        return [Value(question.id, text=text)]
    if not raw:
        if question.required:
            raise Invalid(_("この質問は回答が必要です。"), code=code)
        return []
    if question.kind == SCALE:
        point = as_id(raw[0])
        if len(raw) > 1 or point not in SCALE_POINTS:
            raise Invalid(_("1から5の中から選んでください。"), code=code)
        return [Value(question.id, scale=point)]
    options = {option.id for option in question.options}
    chosen = list(dict.fromkeys(as_id(value) for value in raw))
    if any(option_id not in options for option_id in chosen):
        raise Invalid(_("選択肢の中から選んでください。"), code=code)
    if question.kind == SINGLE and len(chosen) > 1:
        raise Invalid(_("選択肢は1つだけ選んでください。"), code=code)
    if question.kind == MULTIPLE and question.max_choices and len(chosen) > question.max_choices:
        raise Invalid(_("%(max)d個まで選べます。", max=question.max_choices), code=code)
    return [Value(question.id, option_id=option_id) for option_id in chosen]


def check_answers(survey: Survey, raw: Raw) -> list[Value]:
    """Every answer of a response, checked; every problem at once."""
    problems, values = Problems(), []
    for question in survey.questions:
        checked = problems.check(check_question, question, raw.get(question.id, ()))
        values.extend(checked or ())
    problems.raise_any()
    return values


def answerable(member: Member | None, survey_id: int) -> Survey:
    """A survey this member may answer now; a clear reason when not."""
    survey = access.get_survey(member, survey_id)
    if not access.in_audience(member, survey):
        raise Forbidden(_("このアンケートの対象ではありません。"))
    state = survey.state()
    if state == CLOSED:
        raise Invalid(_("このアンケートは締め切られました。回答は受け付けていません。"), code="closed")
    if state != OPEN:
        raise Invalid(_("このアンケートはまだ始まっていません。"), code="not_open")
    return survey


def may_change(member: Member, survey: Survey) -> bool:
    """Answered already: may they change it? Only on a named survey whose creator allows it."""
    return survey.editable and not survey.anonymous and survey.state() == OPEN


def own_response(member: Member, survey: Survey) -> Response | None:
    """The member's own response to a named survey (an anonymous one has none to find, by design)."""
    if survey.anonymous or not access.has_answered(member.id, survey.id):
        return None
    return db.session.scalar(select(Response).where(Response.survey_id == survey.id, Response.member_id == member.id))


def raw_answers_of(response: Response | None) -> dict[int, list[str]]:
    """A stored response as form values, to fill the form for an edit."""
    raw: dict[int, list[str]] = {}
    for answer in (response.answers if response else ()):
        value = answer.text if answer.text is not None else answer.scale if answer.scale is not None else answer.option_id
        raw.setdefault(answer.question_id, []).append(str(value))
    return raw


def submit(member: Member, survey_id: int, raw: Raw) -> Response | None:
    """Store a member's answers: the first time, or (when allowed) in place of their earlier ones.

    The participation row's primary key is the one-response rule: two submits at the same moment
    both pass the `has_answered` check, and the database refuses the second insert."""
    survey = answerable(member, survey_id)
    values = check_answers(survey, raw)
    if access.has_answered(member.id, survey.id):
        if not may_change(member, survey):
            raise Invalid(_("このアンケートにはもう回答しています。"), code="answered")
        return _replace(member, survey, values)
    now = None if survey.anonymous else utcnow()
    response = Response(survey_id=survey.id, member_id=None if survey.anonymous else member.id, created_at=now)
    db.session.add(Participation(survey_id=survey.id, member_id=member.id))
    db.session.add(response)
    try:
        db.session.flush()
        db.session.add_all(_rows(survey.id, response.id, values))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Invalid(_("このアンケートにはもう回答しています。"), code="answered")
    tally.forget_figures(survey.id)
    return None if survey.anonymous else response


def _replace(member: Member, survey: Survey, values: list[Value]) -> Response:
    # The update takes the response's row lock first, so two edits at once run one after the other
    # and the second deletes what the first inserted: never two sets of answers.
    changed = db.session.execute(update(Response).where(Response.survey_id == survey.id, Response.member_id == member.id)
                                 .values(updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    response = db.session.scalar(select(Response).where(Response.survey_id == survey.id,
                                                        Response.member_id == member.id))
    if not changed or response is None:
        db.session.rollback()
        raise Invalid(_("このアンケートにはもう回答しています。"), code="answered")
    db.session.execute(delete(Answer).where(Answer.response_id == response.id))
    db.session.add_all(_rows(survey.id, response.id, values))
    db.session.commit()
    tally.forget_figures(survey.id)
    return response


def _rows(survey_id: int, response_id: int, values: list[Value]) -> list[Answer]:
    return [Answer(survey_id=survey_id, response_id=response_id, question_id=v.question_id, option_id=v.option_id,
                   scale=v.scale, text=v.text) for v in values]


# --- keitai: one question a page, the answers so far kept in the session ----------------------------------

def progress_key(survey_id: int) -> str:
    return f"survey_progress_{survey_id}"


def step_answers(survey: Survey, step: int, raw: Sequence[str]) -> list[str]:
    """One keitai page's answer, checked alone (so a required question stops the 次へ), as it is kept."""
    check_question(survey.questions[step - 1], raw)
    return [value for value in raw if isinstance(value, str)]
