"""通報: a member tells the administrators about a diary entry, a comment or a profile, from a PC or a
phone; once per thing; only about what they can see; never about their own things."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from ejan.diary import services as diary
from ejan.diary.models import FRIENDS, MEMBERS
from ejan.errors import Invalid, NotFound
from ejan.extensions import db
from ejan.members import blocking
from ejan.members.models import Member
from ejan.reports import services
from ejan.reports.models import DIARY_COMMENT, DIARY_ENTRY, MEMBER, OPEN, Tsuho
from support import at_the_same_moment, form_action, html_of, keitai_login, sjis_post


def tsuho_rows():
    db.session.expire_all()
    return db.session.scalars(select(Tsuho).order_by(Tsuho.id)).all()


@pytest.fixture
def cast(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry = diary.create_entry(sato, title="新茶の便り", body="本文", visibility=MEMBERS)
    comment = diary.add_comment(sato, entry.id, "追記です")
    return {"sato": sato, "suzuki": suzuki, "entry": entry.id, "comment": comment.id}


def test_a_tsuho_sent_from_a_pc_is_stored_open(cast, browser):
    pc = browser(cast["suzuki"])
    page = pc.get(f"/diary/{cast['entry']}").get_data(as_text=True)
    assert f"/tsuho/diary_entry/{cast['entry']}" in page
    assert f"/tsuho/diary_comment/{cast['comment']}" in page
    form = pc.get(f"/tsuho/diary_entry/{cast['entry']}")
    assert form.status_code == 200 and "新茶の便り" in form.get_data(as_text=True)
    response = pc.post(f"/tsuho/diary_entry/{cast['entry']}", data={"reason": "spam", "detail": "宣伝ばかりです"})
    assert urlsplit(response.headers["Location"]).path == f"/diary/{cast['entry']}"
    [row] = tsuho_rows()
    assert (row.reporter_id, row.target_kind, row.target_id, row.reason, row.detail, row.status) == \
        (cast["suzuki"].id, DIARY_ENTRY, cast["entry"], "spam", "宣伝ばかりです", OPEN)


def test_a_tsuho_sent_from_a_cookieless_phone_keeps_its_japanese(cast, keitai):
    phone = keitai("docomo_nocookie")
    home = keitai_login(phone, cast["suzuki"])
    token = dict(p.split("=") for p in urlsplit(home).query.split("&"))["ejs"]
    profile = html_of(phone.get(f"/members/{cast['sato'].id}?ejs={token}"))
    form_page = html_of(phone.get(next(h for h in _links(profile) if "/tsuho/member/" in h)))
    assert "佐藤" in form_page
    response = sjis_post(phone, form_action(form_page, "/tsuho/"), {"reason": "harassment", "detail": "嫌な書き込み"})
    assert response.status_code == 302
    [row] = tsuho_rows()
    assert (row.target_kind, row.target_id, row.reason, row.detail) == (MEMBER, cast["sato"].id, "harassment",
                                                                          "嫌な書き込み")


def test_the_keitai_entry_page_links_to_the_same_form(cast, keitai, login):
    phone = keitai("au")
    login(phone, cast["suzuki"])
    page = html_of(phone.get(f"/diary/{cast['entry']}"))
    assert f"/tsuho/diary_entry/{cast['entry']}" in page and f"/tsuho/diary_comment/{cast['comment']}" in page
    assert "通報" in html_of(phone.get(f"/tsuho/diary_comment/{cast['comment']}"))


def _links(page):
    import html
    import re
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_reporting_twice_is_one_tsuho(cast, browser):
    pc = browser(cast["suzuki"])
    for _ in range(2):
        pc.post(f"/tsuho/diary_comment/{cast['comment']}", data={"reason": "other"})
    assert len(tsuho_rows()) == 1
    assert "すでに受け付けています" in pc.get(f"/tsuho/diary_comment/{cast['comment']}").get_data(as_text=True)
    _, created = services.report(cast["suzuki"], DIARY_COMMENT, cast["comment"], reason="spam")
    assert created is False and len(tsuho_rows()) == 1


def test_two_sends_at_the_same_moment_store_one(app, monkeypatch, cast):
    suzuki_id, entry_id = cast["suzuki"].id, cast["entry"]

    def work():
        return services.report(db.session.get(Member, suzuki_id), DIARY_ENTRY, entry_id, reason="spam")[0].id

    results, _ = at_the_same_moment(app, monkeypatch, services, "already_reported", work, when=lambda r: r is None)
    assert len(set(results)) == 1 and len(tsuho_rows()) == 1


def test_what_the_reporter_cannot_see_cannot_be_reported(cast, make_member, browser):
    hidden = diary.create_entry(cast["sato"], title="友だちだけ", body="本文", visibility=FRIENDS)
    pc = browser(cast["suzuki"])
    assert pc.get(f"/tsuho/diary_entry/{hidden.id}").status_code == 404
    assert pc.post(f"/tsuho/diary_entry/{hidden.id}", data={"reason": "spam"}).status_code == 404
    blocking.block(cast["sato"], cast["suzuki"].id)
    assert pc.post(f"/tsuho/member/{cast['sato'].id}", data={"reason": "spam"}).status_code == 404
    assert pc.post(f"/tsuho/diary_entry/{cast['entry']}", data={"reason": "spam"}).status_code == 404
    assert tsuho_rows() == []


@pytest.mark.parametrize("url, data, status", [
    ("/tsuho/diary_entry/{entry}", {"reason": ""}, 400),
    ("/tsuho/diary_entry/{entry}", {"reason": "because"}, 400),
    ("/tsuho/diary_entry/{entry}", {"reason": "spam", "detail": "あ" * 1001}, 400),
    ("/tsuho/diary_entry/999999", {"reason": "spam"}, 404),
    ("/tsuho/recipe/{entry}", {"reason": "spam"}, 404),
    ("/tsuho/pin/1", {"reason": "spam"}, 404),
])
def test_bad_input_stores_nothing(cast, browser, url, data, status):
    response = browser(cast["suzuki"]).post(url.format(entry=cast["entry"]), data=data)
    assert response.status_code == status
    assert tsuho_rows() == []


def test_nobody_reports_their_own_writing(cast, browser):
    response = browser(cast["sato"]).post(f"/tsuho/diary_entry/{cast['entry']}", data={"reason": "spam"})
    assert response.status_code == 400
    with pytest.raises(Invalid):
        services.report(cast["sato"], MEMBER, cast["sato"].id, reason="spam")
    assert tsuho_rows() == []


def test_a_suspended_member_reports_nothing(cast, make_member):
    gone = make_member("停止中", suspended=True)
    with pytest.raises(NotFound):
        services.report(gone, DIARY_ENTRY, cast["entry"], reason="spam")


def test_the_queue_lists_open_tsuho_oldest_first(cast, make_member):
    ito = make_member("伊藤")
    services.report(cast["suzuki"], DIARY_ENTRY, cast["entry"], reason="spam")
    services.report(ito, MEMBER, cast["sato"].id, reason="other")
    page = services.open_tsuho(1, 10)
    assert [(t.target_kind, t.reporter.nickname) for t in page.items] == [(DIARY_ENTRY, "鈴木"), (MEMBER, "伊藤")]
    assert db.session.scalar(select(func.count()).select_from(Tsuho)) == 2


# --- community things: topics, their comments, events ---------------------------------------------------------

@pytest.fixture
def community_cast(make_member):
    from datetime import timedelta

    from ejan.communities import directory, events, membership, topics
    from ejan.sessions import utcnow
    owner, member, outsider = make_member("伊藤"), make_member("佐藤"), make_member("鈴木")
    closed = directory.create_community(owner, name="PTA役員会", category="趣味", description="内輪",
                                        join_policy="open", topic_visibility="members")
    membership.join(member, closed.id)
    topic = topics.create_topic(owner, closed.id, title="会計の相談", body="本文")
    comment = topics.add_comment(owner, topic.id, "よろしく")
    event = events.create_event(owner, closed.id, title="役員会", starts_at=utcnow() + timedelta(days=2))
    return {"member": member, "outsider": outsider, "topic": topic.id, "comment": comment.id, "event": event.id}


@pytest.mark.parametrize("kind", ["topic", "topic_comment", "event"])
def test_community_things_are_reported_by_members_who_can_read_them(community_cast, browser, keitai, login, kind):
    target_id = community_cast["comment" if kind == "topic_comment" else kind]
    page_url = {"topic": f"/topics/{target_id}", "topic_comment": f"/topics/comments/{target_id}",
                "event": f"/events/{target_id}"}[kind]
    pc, phone = browser(community_cast["member"]), keitai("au")
    login(phone, community_cast["member"])
    for client in (pc, phone):
        assert f"/tsuho/{kind}/{target_id}" in html_of(client.get(page_url))
    assert pc.post(f"/tsuho/{kind}/{target_id}", data={"reason": "inappropriate"}).status_code == 302
    outsider = browser(community_cast["outsider"])
    assert outsider.post(f"/tsuho/{kind}/{target_id}", data={"reason": "spam"}).status_code == 404
    assert [(t.target_kind, t.target_id, t.reporter_id) for t in tsuho_rows()] == \
        [(kind, target_id, community_cast["member"].id)]
