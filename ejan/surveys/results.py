"""Results: counted in the database with a fixed number of statements, whatever the number of responses.

The whole results page is: the survey, its questions, their options (3), the number of responses (1),
the option counts (1), the scale counts (1), the number answering each question (1) and the first few
free-text answers of each text question (1). Python only turns those few grouped rows into percentages.

Those five counts aggregate every answer (46 ms at 150,000 answers), and they are the same for everyone
who may see the results, so they are kept FIGURES_SECONDS in the cache as plain values: a city reading its
survey's results costs one count per survey every few seconds. A new response forgets them, so whoever has
just answered sees their answer counted.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..caching import forget, remembered
from ..clock import to_jst
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from .models import MULTIPLE, SCALE, SCALE_POINTS, SINGLE, TEXT, Answer, Participation, Question, Response, Survey

TEXT_PREVIEW = 5
FIGURES_SECONDS = 10


@dataclass
class Bar:
    label: str
    count: int
    percent: float  # of those who answered the question


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # respondents who answered this question (the base of every percentage)
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None  # scale questions
    texts: list[str] = field(default_factory=list)  # the first few free-text answers


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def _percent(count: int, base: int) -> float:
    return round(100.0 * count / base, 1) if base else 0.0


def _figures_key(survey_id: int) -> str:
    return f"surveys:figures:{survey_id}"


def forget_figures(survey_id: int) -> None:
    """The survey's answers changed: the next results page counts them again."""
    forget(_figures_key(survey_id))


def _figures(survey: Survey) -> dict:
    """The counts the results are made of, as plain values (they may live in Redis)."""
    def compute() -> dict:
        sid = survey.id
        responses = db.session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == sid))
        # Who answered each question: a single-choice or scale question has one row per respondent, so its
        # counts below add up to it; only multiple choice (several rows each) and text need counting apart.
        apart = [q.id for q in survey.questions if q.kind in (MULTIPLE, TEXT)] or [0]
        answered = dict(db.session.execute(
            select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
            .where(Answer.survey_id == sid, Answer.question_id.in_(apart)).group_by(Answer.question_id)).all())
        # Multiple choice is one row per ticked option, so this counts per option, not per combination.
        option_counts = dict(((q, o), n) for q, o, n in db.session.execute(
            select(Answer.question_id, Answer.option_id, func.count())
            .where(Answer.survey_id == sid, Answer.option_id.is_not(None))
            .group_by(Answer.question_id, Answer.option_id)).all())
        scale_counts = dict(((q, s), n) for q, s, n in db.session.execute(
            select(Answer.question_id, Answer.scale, func.count())
            .where(Answer.survey_id == sid, Answer.scale.is_not(None))
            .group_by(Answer.question_id, Answer.scale)).all())
        return {"responses": responses or 0, "answered": answered, "options": option_counts,
                "scales": scale_counts, "texts": _text_previews(survey)}
    return remembered(_figures_key(survey.id), FIGURES_SECONDS, compute)


def results_of(survey: Survey) -> Results:
    figures = _figures(survey)
    answered, option_counts, scale_counts, texts = (figures["answered"], figures["options"], figures["scales"],
                                                    figures["texts"])
    out = []
    for question in survey.questions:
        if question.kind == SINGLE:
            base = sum(option_counts.get((question.id, option.id), 0) for option in question.options)
        elif question.kind == SCALE:
            base = sum(scale_counts.get((question.id, point), 0) for point in SCALE_POINTS)
        else:
            base = answered.get(question.id, 0)
        result = QuestionResult(question, base)
        if question.kind in (SINGLE, MULTIPLE):
            result.bars = [Bar(option.label, option_counts.get((question.id, option.id), 0),
                               _percent(option_counts.get((question.id, option.id), 0), base))
                           for option in question.options]
        elif question.kind == SCALE:
            counts = [scale_counts.get((question.id, point), 0) for point in SCALE_POINTS]
            result.bars = [Bar(str(point), n, _percent(n, base)) for point, n in zip(SCALE_POINTS, counts)]
            total = sum(counts)
            result.mean = round(sum(p * n for p, n in zip(SCALE_POINTS, counts)) / total, 2) if total else None
        else:
            result.texts = texts.get(question.id, [])
        out.append(result)
    return Results(survey, figures["responses"], out)


def _text_previews(survey: Survey) -> dict[int, list[str]]:
    """The first few free-text answers of every text question, in one statement (a window per question)."""
    text_ids = [q.id for q in survey.questions if q.kind == TEXT]
    if not text_ids:
        return {}
    numbered = (select(Answer.question_id, Answer.text,
                       func.row_number().over(partition_by=Answer.question_id, order_by=Answer.id).label("n"))
                .where(Answer.survey_id == survey.id, Answer.question_id.in_(text_ids), Answer.text.is_not(None))
                .subquery())
    previews: dict[int, list[str]] = {}
    for question_id, text in db.session.execute(select(numbered.c.question_id, numbered.c.text)
                                                .where(numbered.c.n <= TEXT_PREVIEW).order_by(numbered.c.n)):
        previews.setdefault(question_id, []).append(text)
    return previews


def text_question(survey: Survey, question_id: int) -> Question | None:
    return next((q for q in survey.questions if q.id == question_id and q.kind == TEXT), None)


def texts_of(survey: Survey, question: Question, page: int, per_page: int) -> Page:
    """Every free-text answer of one question, a page at a time (in order of arrival)."""
    stmt = (select(Answer.text).where(Answer.survey_id == survey.id, Answer.question_id == question.id,
                                      Answer.text.is_not(None)).order_by(Answer.id))
    return paginate(stmt, page, per_page)


def participant_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.survey_id == survey.id)) or 0


# --- CSV ----------------------------------------------------------------------------------------------------

BOM = "\ufeff"  # spreadsheet software opens UTF-8 as UTF-8 only with it


def csv_lines(survey: Survey) -> Iterator[str]:
    """The CSV, a line at a time: one row per response, one column per question.

    Free text goes in as written (commas, quotes, line breaks): the csv module quotes it, and
    csv.reader gives back exactly the text. Several ticked options share one cell, joined by " / ".
    A named survey has the respondent's nickname; an anonymous one only a running number.

    Everything about the survey is read now; the rows are read as the response streams (by then the
    request's objects may be gone), by plain ids.
    """
    question_ids = [q.id for q in survey.questions]
    labels = {option.id: option.label for q in survey.questions for option in q.options}
    header = [_("番号")] + ([] if survey.anonymous else [_("回答者"), _("回答日時")])
    header += [q.prompt for q in survey.questions]
    return _csv_rows(survey.id, survey.anonymous, question_ids, labels, header)


def _csv_rows(survey_id: int, anonymous: bool, question_ids: list[int], labels: dict, header: list) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(row) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield BOM + line(header)
    people: dict[int, tuple] = {}
    if not anonymous:
        people = {rid: (nickname, moment) for rid, nickname, moment in db.session.execute(
            select(Response.id, Member.nickname, func.coalesce(Response.updated_at, Response.created_at))
            .join(Member, Member.id == Response.member_id).where(Response.survey_id == survey_id))}
    stmt = (select(Response.id, Answer.question_id, Answer.option_id, Answer.scale, Answer.text)
            .outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.survey_id == survey_id).order_by(Response.id, Answer.id))
    number, current, cells = 0, None, {}

    def row_of(rid) -> list:
        nickname, moment = people.get(rid, ("", None))
        extra = [] if anonymous else [nickname, _when(moment)]
        return [number] + extra + [" / ".join(cells.get(qid, [])) for qid in question_ids]

    for rid, question_id, option_id, scale, text in db.session.execute(stmt).yield_per(2000):
        if rid != current:
            if current is not None:
                yield line(row_of(current))
            number, current, cells = number + 1, rid, {}
        if question_id is None:
            continue  # a response that left every (optional) question blank
        value = labels.get(option_id, "") if option_id is not None else str(scale) if scale is not None else text
        cells.setdefault(question_id, []).append(value)
    if current is not None:
        yield line(row_of(current))


def _when(moment) -> str:
    return to_jst(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
