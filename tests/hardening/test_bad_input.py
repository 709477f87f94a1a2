"""Malformed input from the outside audit: every one of these gave a server error once."""
from __future__ import annotations

import pytest

from ejan.extensions import db
from ejan.members.models import Member
from support import phone_ua


@pytest.mark.parametrize("path", [
    "/diary/search?q=%E8%8C%B6%00",
    "/diary/search?q=%00",
    "/topics/search?q=a%00b",
])
def test_a_nul_character_in_a_search_box_is_dropped_not_a_server_error(browser, make_member, path):
    response = browser(make_member()).get(path)
    assert response.status_code == 200


def test_a_nul_character_in_a_diary_entry_is_dropped_and_the_entry_saved(browser, make_member):
    member = make_member()
    response = browser(member).post("/diary/new", data={
        "title": "お茶\x00摘み", "body": "新茶\x00の\x07季節\r\nです", "visibility": "members"})
    assert response.status_code == 302
    from ejan.diary.models import DiaryEntry

    entry = db.session.scalars(db.select(DiaryEntry)).one()
    assert entry.title == "お茶摘み"
    assert entry.body.replace("\r\n", "\n") == "新茶の季節\nです"


def test_a_line_break_in_a_nickname_is_taken_out_so_mail_about_the_member_still_works(browser, make_member):
    member = make_member("佐藤")
    response = browser(member).post("/profile/edit", data={"nickname": "さとう\r\nBcc: x@example.jp",
                                                           "intro": "", "district": ""})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    nickname = db.session.get(Member, member.id).nickname
    assert "\n" not in nickname and "\r" not in nickname


def test_a_keitai_posting_control_bytes_in_shift_jis_gets_them_dropped(keitai, make_member, login):
    member = make_member()
    phone = keitai("au")
    login(phone, member)
    body = "title=%82%A8%00%92%83&body=%82%A8%1B%92%83&visibility=members".encode()
    response = phone.post("/diary/new", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    from ejan.diary.models import DiaryEntry

    entry = db.session.scalars(db.select(DiaryEntry)).one()
    assert entry.title == "お茶" and entry.body == "お茶"


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "https://exa mple.jp/\r\nx", "http://%"])
def test_the_jump_page_answers_a_malformed_address_with_a_page_not_an_error(browser, make_member, url):
    response = browser(make_member()).get("/jump", query_string={"url": url})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("token", ["%E8%8C%B6", "1.%E8%8C%B6", "%00", "x" * 500])
def test_a_feed_address_with_a_strange_key_is_not_found(client, token):
    assert client.get(f"/diary/feed/{token}.atom").status_code == 404


@pytest.mark.parametrize("target", ["http://[/", "//[", "/\r\nSet-Cookie: x=1", "/%0d%0aX: y", "/ok\x00"])
def test_login_with_a_broken_next_address_lands_on_home(client, make_member, target):
    member = make_member()
    from support import PASSWORD

    response = client.post("/login", query_string={"next": target},
                           data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]


def test_an_error_page_after_a_failed_database_statement_still_renders(app, browser, make_member, monkeypatch):
    """The error handler rolls the failed transaction back before it renders the page."""
    from sqlalchemy import text

    from ejan.notify import services as notify

    member = make_member()
    client = browser(member)

    def broken(_member):
        db.session.expire_all()  # the error page must load the member again, in the same session
        db.session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(notify, "unread_count_query", broken)  # the home page asks it for its header count
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/")
    assert response.status_code == 500
    assert "エラー" in response.get_data(as_text=True)


def test_a_nickname_given_without_a_form_is_kept_to_one_line_too(make_member):
    assert make_member("佐藤\r\n花子\x00").nickname == "佐藤 花子"


def test_cleaning_keeps_line_breaks_in_long_text_and_takes_every_control_character_out():
    from ejan.cleaning import clean_text, single_line

    assert clean_text("a\x00b\x1bc\td\r\ne\x7f\x85f\ufeff") == "abc\td\r\nef"
    assert single_line(" 件名\r\n\u2028続き ") == "件名 続き"


# --- dates, ids and return addresses typed into community forms ------------------------------------------

@pytest.fixture
def tea_club(make_member):
    from ejan.communities import directory, events, membership

    owner, heir = make_member("佐藤"), make_member("鈴木")
    community = directory.create_community(owner, name="倉真の茶畑", category="趣味", description="お茶")
    membership.join(heir, community.id)
    from datetime import timedelta

    from ejan.clock import utcnow

    event = events.create_event(owner, community.id, title="茶摘み", starts_at=utcnow() + timedelta(days=2))
    return owner, heir, community, event


@pytest.mark.parametrize("day, at", [("0001-01-01", "00:00"), ("0001-01-01", "09:00"), ("9999-12-31", "23:59"),
                                     ("10000-01-01", "10:00")])
def test_an_event_dated_at_the_ends_of_the_calendar_is_sent_back_not_a_server_error(browser, tea_club, day, at):
    from ejan.communities.models import Event

    owner, _heir, community, event = tea_club
    client = browser(owner)
    fields = {"title": "茶摘み", "date": day, "time": at, "place": "", "description": ""}
    for path in (f"/communities/{community.id}/events/new", f"/events/{event.id}/edit"):
        response = client.post(path, data=fields)
        assert response.status_code == 200, path
        assert "日付" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 1
    assert db.session.get(Event, event.id).starts_at.year > 2000


@pytest.mark.parametrize("member_id", [str(10**30), str(2**31), str(2**63), "-1", "1e9", "１２"])
def test_handing_a_community_to_a_huge_or_odd_member_id_is_refused_not_a_server_error(browser, tea_club,
                                                                                      member_id):
    from ejan.communities.models import OWNER, Membership

    owner, _heir, community, _event = tea_club
    response = browser(owner).post(f"/communities/{community.id}/handover", data={"member_id": member_id})
    assert response.status_code == 200
    assert "メンバーから選んでください" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, (community.id, owner.id)).role == OWNER


@pytest.mark.parametrize("back", ["/communities/1/requests\r\nSet-Cookie: x=1", "/communities/1\n", "/communities/1\t",
                                  "/communities/\\evil.example", "/communities/" + "a" * 5000])
def test_a_member_action_with_a_broken_back_address_returns_to_the_member_list(browser, tea_club, back):
    owner, heir, community, _event = tea_club
    response = browser(owner).post(f"/communities/{community.id}/members/{heir.id}/promote", data={"back": back})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\n" not in location and "\r" not in location and "evil" not in location
    assert location.endswith(f"/communities/{community.id}/members")
