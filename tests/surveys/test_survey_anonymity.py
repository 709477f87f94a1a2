"""Anonymous surveys: nothing a moderator can ask the site links a member to what they answered.

Who took part is kept (for the one-response rule and reminders) in a table with nothing else in it;
the answers carry no member, no time and nothing ordered like the participation rows."""
from __future__ import annotations

import csv
import io

from sqlalchemy import inspect, select

from ejan.extensions import db
from ejan.surveys import answering
from ejan.surveys.models import Answer, Participation, Response

from helpers_surveys import answers, build, community_with

SECRETS = ("校長先生に不満があります", "給食費が高すぎます", "特にありません")


def _survey_with_answers(make_member):
    owner, moderator = make_member("管理人"), make_member("副管理人")
    respondents = [make_member(f"保護者{name}") for name in ("アオイ", "ハルト", "ユイ")]
    community = community_with(owner, moderator=moderator, members=respondents)
    survey = build(owner, community=community, anonymous=True, results_public=True)
    for person, secret in zip(respondents, SECRETS):
        answering.submit(person, survey.id, answers(survey, 1, [2], 3, secret))
    return survey, moderator, respondents


def test_the_stored_answers_carry_no_member_and_no_time(make_member):
    survey, _moderator, respondents = _survey_with_answers(make_member)
    rows = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()
    assert len(rows) == 3
    assert all(r.member_id is None and r.created_at is None and r.updated_at is None for r in rows)
    assert {c.name for c in inspect(Participation).columns} == {"survey_id", "member_id"}, \
        "participation holds who, and nothing to line it up with a response"
    assert {c.name for c in inspect(Answer).columns} == {"id", "survey_id", "response_id", "question_id",
                                                         "option_id", "scale", "text"}
    assert {p.member_id for p in db.session.scalars(select(Participation))} == {m.id for m in respondents}


def test_no_page_a_moderator_can_open_names_who_answered_what(make_member, browser):
    survey, moderator, respondents = _survey_with_answers(make_member)
    client = browser(moderator)
    pages = [f"/surveys/{survey.id}", f"/surveys/{survey.id}/results", f"/surveys/{survey.id}/results.csv",
             f"/surveys/{survey.id}/questions/{survey.questions[3].id}/answers",
             f"/surveys/{survey.id}/questions/{survey.questions[0].id}/chart.svg",
             f"/communities/{survey.community_id}/surveys", f"/surveys/{survey.id}/answer"]
    seen = ""
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        seen += response.data.decode("utf-8-sig")
    assert all(secret in seen for secret in SECRETS), "the answers are there"
    for person in respondents:
        assert person.nickname not in seen, "but nobody's name"
        assert person.email not in seen
    rows = list(csv.reader(io.StringIO(client.get(f"/surveys/{survey.id}/results.csv").data.decode("utf-8-sig"),
                                       newline="")))
    assert rows[0][0] == "番号" and "回答者" not in rows[0] and "回答日時" not in rows[0]


def test_a_respondent_cannot_find_their_own_anonymous_answer_again(make_member, browser):
    survey, _moderator, respondents = _survey_with_answers(make_member)
    assert answering.own_response(respondents[0], survey) is None
    page = browser(respondents[0]).get(f"/surveys/{survey.id}/answer").get_data(as_text=True)
    assert SECRETS[0] not in page and "もう回答しています" in page
