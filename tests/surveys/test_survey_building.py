"""Building a survey over HTTP, the community tab, and the notifications it sends."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ejan.clock import today_jst
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.notify.models import Notification
from ejan.surveys import answering, builder
from ejan.surveys.models import DISTRICTS, Survey

from helpers_surveys import answers, build, community_with

# Opened yesterday, closing in two weeks (Japan time, as typed).
PERIOD = {"opens_date": (today_jst() - timedelta(days=1)).isoformat(), "opens_time": "09:00",
          "closes_date": (today_jst() + timedelta(days=14)).isoformat(), "closes_time": "17:00"}


def kinds_for(member) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.member_id == member.id)))


def test_a_moderator_builds_opens_and_closes_a_survey_from_the_community_page(make_member, browser):
    owner, moderator, parent = make_member("管理人"), make_member("副管理人"), make_member("保護者")
    community = community_with(owner, moderator=moderator, members=[parent])
    client = browser(moderator)
    page = client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert f'href="/communities/{community.id}/surveys"' in page and "アンケート" in page
    response = client.post(f"/communities/{community.id}/surveys/new", data={
        "title": "運動会の日程", "description": "", **PERIOD, "submit_token": "tok-1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    again = client.post(f"/communities/{community.id}/surveys/new", data={
        "title": "運動会の日程", "description": "", **PERIOD, "submit_token": "tok-1"})
    assert again.headers["Location"] == response.headers["Location"], "a double submit makes one survey"
    survey = db.session.scalar(select(Survey))
    assert survey.audience == "community" and survey.community_id == community.id
    client.post(f"/surveys/{survey.id}/questions/new", data={"kind": "single", "prompt": "都合のよい日",
                                                             "options": "土曜\n日曜", "required": "y"})
    client.post(f"/surveys/{survey.id}/questions/new", data={"kind": "text", "prompt": "ひとこと"})
    client.post(f"/surveys/{survey.id}/questions/{survey.questions[1].id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [q.prompt for q in survey.questions] == ["ひとこと", "都合のよい日"]
    assert kinds_for(parent) == []
    client.post(f"/surveys/{survey.id}/publish")
    assert kinds_for(parent) == ["survey_opened"], "the members hear once it opens"
    assert "survey_opened" in kinds_for(owner)
    assert "運動会の日程" in browser(parent).get(f"/communities/{community.id}/surveys").get_data(as_text=True)
    client.post(f"/surveys/{survey.id}/close")
    db.session.expire_all()
    assert survey.state() == "closed"


def test_bad_survey_settings_come_back_with_every_problem_and_the_text_kept(make_member, browser):
    admin = make_member("市役所", role="admin")
    response = browser(admin).post("/surveys/new", data={
        "title": "", "description": "説明はここに", "audience": DISTRICTS, "opens_date": "2026-05-01",
        "opens_time": "09:00", "closes_date": "2026-04-01", "closes_time": "09:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "説明はここに" in page and "締切は開始より後にしてください。" in page and "対象の地区を選んでください。" in page


def test_a_scheduled_survey_is_announced_once_when_its_time_comes(make_member, monkeypatch):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, opens_in=timedelta(hours=1))
    assert builder.announce_due() == 0 and kinds_for(resident) == []
    survey.opens_at -= timedelta(hours=2)
    db.session.commit()
    assert builder.announce_due() == 1
    assert builder.announce_due() == 0
    assert builder.announce_if_due(survey) is False
    assert kinds_for(resident) == ["survey_opened"]


def test_a_district_survey_is_announced_to_that_district_only(make_member):
    admin = make_member("市役所", role="admin")
    daito, kurami = make_member(district="大東"), make_member(district="倉真")
    build(admin, audience=DISTRICTS, districts=["大東"])
    assert kinds_for(daito) == ["survey_opened"] and kinds_for(kurami) == []


def test_reminders_go_to_those_who_have_not_answered_once_a_day(make_member, mailbox):
    owner = make_member("管理人")
    answered, waiting = make_member("回答済み"), make_member("未回答")
    community = community_with(owner, members=[answered, waiting])
    survey = build(owner, community=community, anonymous=True)
    answering.submit(answered, survey.id, answers(survey, 1, None, 3))
    assert builder.remind(owner, survey.id) == 2  # the owner has not answered either
    assert "survey_reminder" in kinds_for(waiting)
    assert "survey_reminder" not in kinds_for(answered)
    assert any("回答のお願い" in str(m["Subject"]) for m in mailbox.to(waiting.email))
    with pytest.raises(Invalid, match="1日に1回"):
        builder.remind(owner, survey.id)


def test_beat_announces_scheduled_surveys_without_cron(app, make_member):
    from ejan.surveys.tasks import announce_due

    entry = app.extensions["celery"].conf.beat_schedule["ejan.surveys.announce_due"]
    assert entry["task"] == announce_due.name and entry["schedule"] <= 600
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, opens_in=timedelta(hours=1))
    survey.opens_at -= timedelta(hours=2)
    db.session.commit()
    assert announce_due.apply().result == 1
    assert kinds_for(resident) == ["survey_opened"]
