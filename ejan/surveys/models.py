"""Surveys: the questions a moderator or the city asks, who took part, and the answers.

Anonymity is in the schema, not only in the pages: who took part (`survey_participations`) and what
was answered (`survey_responses` + `survey_answers`) are two tables with nothing joining them when
the survey is anonymous — no member id, no time, so not even the order of arrival links the two.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..members.models import Member

# Audiences
COMMUNITY = "community"  # the members of one community (a moderator's survey)
EVERYONE = "everyone"  # every member (the city)
DISTRICTS = "districts"  # the members of chosen districts (the city)
AUDIENCES = (COMMUNITY, EVERYONE, DISTRICTS)

# Question kinds
SINGLE = "single"
MULTIPLE = "multiple"
SCALE = "scale"  # 1–5
TEXT = "text"
KINDS = (SINGLE, MULTIPLE, SCALE, TEXT)
SCALE_POINTS = (1, 2, 3, 4, 5)

# What a survey is at a moment (stored fields + the clock; see Survey.state)
DRAFT = "draft"
SCHEDULED = "scheduled"  # published, the opening time not yet reached
OPEN = "open"
CLOSED = "closed"


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        Index("ix_surveys_community", "community_id", "opens_at"),
        Index("ix_surveys_published", "published_at", "closes_at"),
        UniqueConstraint("creator_id", "submit_token", name="uq_surveys_submit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    audience: Mapped[str] = mapped_column(String(10))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    editable: Mapped[bool] = mapped_column(Boolean, default=False)  # answers may be changed until closing
    results_public: Mapped[bool] = mapped_column(Boolean, default=False)  # respondents see results after closing
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: a draft
    closed_early_at: Mapped[datetime | None] = mapped_column(DateTime)
    announced_at: Mapped[datetime | None] = mapped_column(DateTime)  # "survey opened" sent, once
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    submit_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    creator: Mapped[Member] = relationship()
    questions: Mapped[list[Question]] = relationship(order_by="Question.position", back_populates="survey",
                                                     cascade="all, delete-orphan")
    districts: Mapped[list[SurveyDistrict]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def district_names(self) -> list[str]:
        return [d.district for d in self.districts]

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.published_at is None:
            return DRAFT
        if self.closed_early_at is not None or now >= self.closes_at:
            return CLOSED
        if now < self.opens_at:
            return SCHEDULED
        return OPEN

    @property
    def ends_at(self) -> datetime:
        return self.closed_early_at or self.closes_at


class SurveyDistrict(db.Model):
    """One district a city survey is addressed to."""
    __tablename__ = "survey_districts"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    district: Mapped[str] = mapped_column(String(20), primary_key=True)


class Question(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (Index("ix_survey_questions_survey", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(String(200))
    help: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_choices: Mapped[int | None] = mapped_column(Integer)  # multiple choice: at most this many
    max_length: Mapped[int | None] = mapped_column(Integer)  # free text

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(order_by="Option.position", cascade="all, delete-orphan",
                                                 lazy="selectin")


class Option(db.Model):
    __tablename__ = "survey_options"
    __table_args__ = (Index("ix_survey_options_question", "question_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))


class Participation(db.Model):
    """Who has answered: the one-response-per-member rule (the primary key) and the reminder list.

    Deliberately no time and no link to the response."""
    __tablename__ = "survey_participations"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)


class Response(db.Model):
    """One member's answers. member_id and the times are empty on an anonymous survey."""
    __tablename__ = "survey_responses"
    __table_args__ = (
        # The second line of the one-response rule for named surveys (NULLs, the anonymous, never clash).
        UniqueConstraint("survey_id", "member_id", name="uq_survey_responses_member"),
        Index("ix_survey_responses_survey", "survey_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[Member | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Answer(db.Model):
    """One value of a response: a chosen option (one row per option ticked), a scale point, or text.

    survey_id is repeated here so the results aggregate over one index range without a join."""
    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_option", "survey_id", "question_id", "option_id"),
        Index("ix_survey_answers_scale", "survey_id", "question_id", "scale"),
        Index("ix_survey_answers_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"))
    scale: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
