"""Community events: times typed in Japan time and stored in UTC, no events on past days, going / not going,
and the list of what is coming up across the communities I belong to (and nowhere else)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from ejan.clock import jst_to_utc, today_jst
from ejan.communities import events, membership
from ejan.communities.models import APPROVAL, GOING, MEMBERS_ONLY, NOT_GOING, Attendance, Event
from ejan.errors import Invalid
from ejan.extensions import db
from helpers_communities import count, in_two_days, open_community, path_of


def next_december_5th() -> date:
    """2026-12-05 in the issue's example, moved to next year's 5th of December so it is always ahead."""
    return date(today_jst().year + 1, 12, 5)


def event_row(event_id: int) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event_id)


@pytest.fixture
def club(make_member):
    people = {name: make_member(name) for name in ("佐藤", "鈴木", "高橋")}
    community = open_community(people["佐藤"], "掛川花鳥園の会", category="趣味")
    membership.join(people["鈴木"], community.id)
    return people, community


# --- Japan time in, UTC stored ------------------------------------------------------------------------------

def test_japan_time_is_stored_as_utc():
    assert jst_to_utc(datetime(2026, 12, 5, 13, 30)) == datetime(2026, 12, 5, 4, 30)
    assert jst_to_utc(datetime(2027, 1, 1, 8, 0)) == datetime(2026, 12, 31, 23, 0)  # the day before


def test_the_event_form_takes_japan_time_and_shows_it_back(club, browser):
    people, community = club
    client = browser(people["鈴木"])
    day = next_december_5th()
    response = client.post(f"/communities/{community.id}/events/new", data={
        "title": "年末の大掃除", "date": day.isoformat(), "time": "13:30", "place": "掛川駅北口", "description": "軍手持参"})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at == datetime(day.year, 12, 5, 4, 30)
    assert path_of(response.headers["Location"]) == f"/events/{event.id}"
    assert "13:30" in client.get(f"/events/{event.id}").get_data(as_text=True)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{day.isoformat()}"' in form and 'value="13:30"' in form

    # Editing keeps the conversion.
    assert client.post(f"/events/{event.id}/edit", data={"title": "年末の大掃除", "date": day.isoformat(),
                                                        "time": "08:00", "place": "", "description": ""}
                       ).status_code == 302
    assert event_row(event.id).starts_at == datetime(day.year, 12, 4, 23, 0)


# --- no events on past days ---------------------------------------------------------------------------------

@pytest.mark.parametrize("days_ago, at", [(1, time(23, 59)), (1, time(0, 0)), (30, time(12, 0))])
def test_an_event_on_a_past_day_is_refused(club, days_ago, at):
    people, community = club
    starts = jst_to_utc(datetime.combine(today_jst() - timedelta(days=days_ago), at))
    with pytest.raises(Invalid) as refused:
        events.create_event(people["鈴木"], community.id, title="過去の会", starts_at=starts)
    assert refused.value.code == "date" and "過去" in refused.value.message
    assert count(Event) == 0


def test_an_event_earlier_today_may_still_be_entered(club):
    people, community = club
    starts = jst_to_utc(datetime.combine(today_jst(), time(0, 1)))
    events.create_event(people["鈴木"], community.id, title="今朝の散歩会", starts_at=starts)
    assert count(Event) == 1


def test_a_past_date_typed_into_the_form_is_sent_back_with_the_text_kept(club, browser):
    people, community = club
    yesterday = today_jst() - timedelta(days=1)
    response = browser(people["鈴木"]).post(f"/communities/{community.id}/events/new", data={
        "title": "昨日の観察会", "date": yesterday.isoformat(), "time": "10:00", "place": "園内", "description": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "過去の日時" in html and "昨日の観察会" in html
    assert count(Event) == 0


@pytest.mark.parametrize("fields", [{"date": "12/05", "time": "13:30"}, {"date": "2026-12-05", "time": "25:00"},
                                    {"date": "", "time": "13:30"}, {"date": "2026-12-05", "time": ""}])
def test_a_date_or_time_not_understood_is_sent_back(club, browser, fields):
    people, community = club
    response = browser(people["鈴木"]).post(f"/communities/{community.id}/events/new",
                                           data={"title": "観察会", "place": "", "description": "", **fields})
    assert response.status_code == 200
    assert count(Event) == 0


# --- going / not going ------------------------------------------------------------------------------------

def test_attendance_toggles_between_going_and_not_going(club):
    people, community = club
    sato, suzuki = people["佐藤"], people["鈴木"]
    event = events.create_event(suzuki, community.id, title="バードウォッチング", starts_at=in_two_days())
    events.attend(sato, event.id, GOING)
    events.attend(suzuki, event.id, GOING)
    assert events.going_counts([event]) == {event.id: 2}
    events.attend(sato, event.id, NOT_GOING)
    assert events.my_attendance(sato, event) == NOT_GOING
    assert events.going_counts([event]) == {event.id: 1}
    going, not_going = events.attendance_of(event)
    assert [a.member_id for a in going] == [suzuki.id] and [a.member_id for a in not_going] == [sato.id]
    events.attend(sato, event.id, GOING)
    assert events.my_attendance(sato, event) == GOING
    assert count(Attendance) == 2, "one answer per member, changed in place"
    with pytest.raises(Invalid):
        events.attend(sato, event.id, "maybe")
    assert events.my_attendance(sato, event) == GOING


def test_attendance_over_http(club, browser):
    people, community = club
    event = events.create_event(people["鈴木"], community.id, title="バードウォッチング", starts_at=in_two_days())
    client = browser(people["佐藤"])
    assert client.post(f"/events/{event.id}/attend", data={"status": GOING}).status_code == 302
    assert events.my_attendance(people["佐藤"], event) == GOING
    assert client.post(f"/events/{event.id}/attend", data={"status": NOT_GOING}).status_code == 302
    db.session.expire_all()
    assert events.my_attendance(people["佐藤"], event) == NOT_GOING
    outsider = browser(people["高橋"])
    assert outsider.post(f"/events/{event.id}/attend", data={"status": GOING}).status_code == 403
    assert count(Attendance) == 1


# --- what is coming up in my communities ---------------------------------------------------------------------

def test_the_upcoming_list_shows_only_my_communities_future_events(make_member, browser):
    me, other = make_member("佐藤"), make_member("鈴木")
    mine_a = open_community(me, "茶の会")
    mine_b = open_community(other, "城の会")
    membership.join(me, mine_b.id)
    not_mine = open_community(other, "花の会")
    secret = open_community(other, "役員会", topic_visibility=MEMBERS_ONLY)
    asked = open_community(other, "承認制の会", join_policy=APPROVAL)
    membership.join(me, asked.id)  # pending: not mine yet
    left = open_community(other, "抜けた会")
    membership.join(me, left.id)
    membership.leave(me, left.id)

    later = events.create_event(me, mine_a.id, title="新茶の試飲会", starts_at=in_two_days(12))
    sooner = events.create_event(other, mine_b.id, title="城下町歩き", starts_at=in_two_days(1))
    for community, title in ((not_mine, "花見"), (secret, "役員会議"), (asked, "承認制の集まり"), (left, "抜けた会の宴")):
        events.create_event(other, community.id, title=title, starts_at=in_two_days())
    past = Event(community_id=mine_a.id, author_id=me.id, title="去年の茶摘み", place="", description="",
                 starts_at=datetime(2020, 5, 1, 1, 0))  # written directly: the service refuses past days
    db.session.add(past)
    db.session.commit()

    assert [e.id for e in events.upcoming_for(me, 1, 20).items] == [sooner.id, later.id]

    html = browser(me).get("/events").get_data(as_text=True)
    assert "城下町歩き" in html and "新茶の試飲会" in html
    assert html.index("城下町歩き") < html.index("新茶の試飲会")
    for title in ("花見", "役員会議", "承認制の集まり", "抜けた会の宴", "去年の茶摘み"):
        assert title not in html
