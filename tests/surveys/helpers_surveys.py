"""Shared by the survey tests: a community with people in every role, and surveys built in one line.

Not a test module (pytest collects only test_*.py)."""
from __future__ import annotations

from datetime import timedelta

from ejan.clock import utcnow
from ejan.communities import directory, membership
from ejan.extensions import db
from ejan.surveys import builder
from ejan.surveys.models import MULTIPLE, SCALE, SINGLE, TEXT, Survey

# Five questions, one of each kind and a required one: the survey most tests answer.
FIVE = (
    dict(kind=SINGLE, prompt="バスを使いますか", required=True, options="毎日\n週に数回\n使わない"),
    dict(kind=MULTIPLE, prompt="よく使う路線", options="掛川駅線\n大東線\n大須賀線\n森線", max_choices=3),
    dict(kind=SCALE, prompt="満足度", required=True),
    dict(kind=TEXT, prompt="ご意見", max_length=500),
    dict(kind=SINGLE, prompt="年代", options="10代\n20〜50代\n60代以上"),
)


def community_with(owner, *, moderator=None, members=()):
    community = directory.create_community(owner, name=f"PTA{owner.id}", category="学校・PTA", description="PTAです")
    for person in ([moderator] if moderator else []) + list(members):
        membership.join(person, community.id)
    if moderator:
        membership.set_moderator(owner, community.id, moderator.id, True)
    return community


def build(creator, questions=FIVE, *, community=None, publish=True, opens_in=timedelta(hours=-1),
          lasts=timedelta(days=14), **settings) -> Survey:
    """A survey with these questions; published and open unless asked otherwise."""
    opens_at = utcnow() + opens_in
    survey = builder.create_survey(creator, title=settings.pop("title", "バス路線アンケート"), opens_at=opens_at,
                                   closes_at=opens_at + lasts, community_id=community.id if community else None,
                                   **settings)
    for question in questions:
        builder.add_question(creator, survey.id, **question)
    if publish:
        builder.publish(creator, survey.id)
    db.session.refresh(survey)
    return survey


def answers(survey, *picks) -> dict:
    """Raw answers by question order: an int picks that option (1-based), a list several, text is text."""
    raw = {}
    for question, pick in zip(survey.questions, picks):
        if pick is None:
            continue
        if question.kind == SCALE:
            raw[question.id] = [str(pick)]
        elif question.kind == TEXT:
            raw[question.id] = [pick]
        else:
            picks_ = pick if isinstance(pick, list) else [pick]
            raw[question.id] = [str(question.options[p - 1].id) for p in picks_]
    return raw
