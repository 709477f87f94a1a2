"""退会: leaving removes or anonymises exactly what the published rule says (docs/leaving.md), on every path a
resident could find the leaver's things: profile, diary pages, feeds, RSS, search, keitai, community topics, the
map, image URLs; and mail stops, sessions end, the owner hands communities over first."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ejan.clock import today_jst
from ejan.communities.models import Community, Membership, Topic, TopicComment
from ejan.diary.models import DiaryComment, DiaryEntry, DiaryPhoto, DiarySettings, Footprint
from ejan.disaster.models import DamageReport, SafetyCheckIn
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.friends.models import FriendRequest, Friendship, Introduction
from ejan.leaving import services as leaving
from ejan.maps.models import Pin
from ejan.members.models import Block, Invitation, Member
from ejan.notify.models import Delivery, KeitaiConfirmation, Notification, Preference
from ejan.sessions import WebSession
from ejan.surveys.models import Answer, Participation, Response, Survey
from populated import SECRET, populate
from support import PASSWORD, html_of, keitai_login, sjis_post, form_action, hidden_fields

LEFT = "退会したメンバー"
WRITTEN = SECRET + "の"  # how it appears in what she wrote (a search page repeats the bare words)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def world(app, make_member, befriend):
    return populate(app, make_member, befriend)


def stored(app, key: str) -> bool:
    return any(Path(app.config["EJAN_MEDIA_DIR"]).glob(f"*/{key}/*"))


def leave_on_pc(browser, member):
    client = browser(member)
    page = client.get("/leave")
    assert page.status_code == 200
    response = client.post("/leave", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/leave/done"), html_of(response)
    return client


# --- the rule, row by row -----------------------------------------------------------------------------------

def test_leaving_deletes_what_the_rule_deletes_and_keeps_the_rest_as_left_member(app, world, browser):
    sato, suzuki, tanaka = world["sato"], world["suzuki"], world["tanaka"]
    image_keys = (world["photo_key"], world["pin_photo"], world["diary_photo"])
    assert all(stored(app, key) for key in image_keys)
    assert count(Membership, Membership.community_id == world["tea"].id) == 2
    alone_id = world["alone"].id
    leave_on_pc(browser, sato)
    db.session.expire_all()
    me = db.session.get(Member, sato.id)
    # The tombstone: nothing personal, no way in, named 「退会したメンバー」.
    assert me.status == "left" and me.left_at is not None
    assert (me.stored_nickname, me.intro, me.district, me.photo_key, me.keitai_email) == ("", "", None, None, None)
    assert me.email.endswith(".invalid") and me.password_hash == "!"
    assert me.nickname == LEFT
    assert not any(stored(app, key) for key in image_keys)
    # Deleted.
    assert count(DiaryEntry, DiaryEntry.author_id == sato.id) == 0
    assert count(DiaryPhoto) == 0
    assert count(DiaryComment) == 0  # Suzuki's on Sato's entry went with it, Sato's on Suzuki's went too
    assert db.session.get(DiaryEntry, world["theirs"].id) is not None
    assert count(Footprint) == 0
    assert count(DiarySettings, DiarySettings.member_id == sato.id) == 0
    assert count(Friendship) == 0 and count(FriendRequest) == 0 and count(Introduction) == 0
    assert count(Block) == 0
    assert db.session.scalar(select(Invitation.revoked_at).where(Invitation.inviter_id == sato.id)) is not None
    assert count(Pin) == 0
    assert count(SafetyCheckIn, SafetyCheckIn.member_id == sato.id) == 0
    assert count(SafetyCheckIn, SafetyCheckIn.member_id == suzuki.id) == 1
    assert count(Notification, Notification.member_id == sato.id) == 0
    assert count(Notification, Notification.actor_id == sato.id) == 0
    assert count(Notification, Notification.actor_id == tanaka.id) == 1
    assert count(Preference) == 0 and count(KeitaiConfirmation) == 0
    assert count(Delivery, Delivery.member_id == sato.id) == 0
    assert count(WebSession, WebSession.member_id == sato.id) == 0
    assert count(Membership, Membership.member_id == sato.id) == 0
    assert db.session.get(Community, alone_id) is None  # no other member: closed
    assert count(Survey, Survey.creator_id == sato.id) == 0  # the draft
    named, secret = world["named"], world["secret"]
    assert count(Response, Response.survey_id == named.id) == 1  # Suzuki's named answer only
    assert count(Answer, Answer.survey_id == named.id) == 1
    assert count(Response, Response.survey_id == secret.id) == 2  # anonymous answers stay, still anonymous
    assert count(Answer, Answer.survey_id == secret.id) == 2
    assert count(Participation, Participation.member_id == sato.id) == 0
    # Kept, with the tombstone as author.
    tea = db.session.get(Community, world["tea"].id)
    assert tea.member_count == 1
    assert db.session.get(Topic, world["topic"].id).author_id == sato.id
    assert count(TopicComment, TopicComment.topic_id == world["topic"].id) == 2
    assert count(DamageReport, DamageReport.author_id == sato.id) == 1


# --- every path a resident could look -----------------------------------------------------------------------

def test_nothing_of_the_leaver_is_found_on_any_page_afterwards(app, world, browser, keitai, client):
    sato, suzuki = world["sato"], world["suzuki"]
    viewer = browser(suzuki)
    entry, pin, topic = world["entry"], world["pin"], world["topic"]
    photo_id = entry.photos[0].id
    paths_gone = [f"/members/{sato.id}", f"/members/{sato.id}/diary", f"/diary/{entry.id}",
                  f"/members/{sato.id}/photo/pc", f"/diary/photos/{photo_id}/pc", f"/map/pins/{pin.id}",
                  f"/map/pins/{pin.id}/photo/pc"]
    today = today_jst()
    paths_gone.append(f"/members/{sato.id}/diary/{today.year}/{today.month}")
    for path in paths_gone:
        assert viewer.get(path).status_code == 200, path  # before: all there
    assert client.get(f"/diary/feed/{world['feed']}.atom").status_code == 200
    leave_on_pc(browser, sato)
    for path in paths_gone:
        assert viewer.get(path).status_code == 404, path
    assert client.get(f"/diary/feed/{world['feed']}.atom").status_code == 404
    lists = ["/diary/everyone", "/diary/friends", "/diary/search?q=" + SECRET, f"/members/{suzuki.id}/friends",
             f"/members/{suzuki.id}", "/footprints", "/", "/map", "/api/pins.geojson?bbox=137.9,34.6,138.2,34.9",
             f"/diary/{world['theirs'].id}", "/topics/search?q=" + "摘み取り", f"/topics/{topic.id}"]
    for path in lists:
        response = viewer.get(path)
        assert response.status_code == 200, path
        page = html_of(response)
        assert WRITTEN not in page and "佐藤" not in page.replace("佐藤のトピック", "").replace("佐藤の返事", ""), path
    # The topic and Sato's comment stay, written by 「退会したメンバー」.
    page = html_of(viewer.get(f"/topics/{topic.id}"))
    assert "佐藤のトピック" in page and "佐藤の返事" in page and "鈴木の返事" in page and LEFT in page
    # On a keitai too.
    phone = keitai("au")
    keitai_login(phone, suzuki)
    for path in (f"/topics/{topic.id}",):
        page = html_of(phone.get(path))
        assert LEFT in page and WRITTEN not in page
    for path in ("/diary/everyone", "/diary/search?q=" + SECRET, f"/diary/{entry.id}", f"/members/{sato.id}",
                 "/map/pins"):
        response = phone.get(path)
        assert WRITTEN not in html_of(response), path


def test_leaving_ends_every_session_and_the_leaver_cannot_log_in_again(app, world, browser, keitai):
    sato = world["sato"]
    email = sato.email
    other_browser = browser(sato)
    phone = keitai("au")
    keitai_login(phone, sato)
    assert other_browser.get("/profile/edit").status_code == 200
    leave_on_pc(browser, sato)
    assert other_browser.get("/profile/edit").status_code in (302, 401)
    assert phone.get("/profile/edit").status_code in (302, 401)
    response = browser().post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its message
    # The address is free: the same person may be invited again one day.
    assert db.session.scalar(select(Member).where(Member.email == email)) is None


def test_mail_stops_for_a_member_who_left(app, world, browser, mailbox):
    from ejan.notify.api import notify

    sato, suzuki = world["sato"], world["suzuki"]
    leave_on_pc(browser, sato)
    mailbox.clear()
    notify([sato.id, suzuki.id], "friend_requested", {"actor_id": suzuki.id})
    db.session.commit()
    assert mailbox.to(sato.email) == [] and mailbox.to("sato@docomo.ne.jp") == []
    assert count(Notification, Notification.member_id == sato.id) == 0


# --- the confirmation, the password, the owner ----------------------------------------------------------------

def test_a_wrong_password_leaves_nothing_changed_and_says_so(world, browser):
    sato = world["sato"]
    client = browser(sato)
    response = client.post("/leave", data={"password": "wrong-password"})
    assert response.status_code == 200 and "パスワードが違います" in html_of(response)
    db.session.expire_all()
    assert db.session.get(Member, sato.id).status == "active"
    assert count(DiaryEntry, DiaryEntry.author_id == sato.id) == 1


def test_an_owner_must_hand_over_a_community_with_members_first(world, browser, make_member):
    suzuki, tanaka = world["suzuki"], world["tanaka"]
    tea = world["tea"]
    db.session.add(Membership(community_id=tea.id, member_id=tanaka.id, role="member"))
    db.session.commit()
    client = browser(suzuki)
    page = html_of(client.get("/leave"))
    assert f"/communities/{tea.id}/handover" in page and 'name="password"' not in page
    response = client.post("/leave", data={"password": PASSWORD})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Member, suzuki.id).status == "active"
    with pytest.raises(Invalid):
        leaving.leave(db.session.get(Member, suzuki.id), PASSWORD)
    # After handing over, the way is open.
    from ejan.communities import membership

    membership.hand_over(db.session.get(Member, suzuki.id), tea.id, tanaka.id)
    leave_on_pc(browser, db.session.get(Member, suzuki.id))
    db.session.expire_all()
    assert db.session.get(Community, tea.id).owner_id == tanaka.id


def test_the_leaving_page_lists_a_community_that_will_close(world, browser):
    page = html_of(browser(world["sato"]).get("/leave"))
    assert "佐藤だけの会" in page and 'name="password"' in page


def test_a_double_submit_leaves_once(world, browser):
    client = browser(world["sato"])
    first = client.post("/leave", data={"password": PASSWORD})
    second = client.post("/leave", data={"password": PASSWORD})
    assert first.status_code == 302
    assert second.status_code in (302, 401)  # logged out by the first


def test_leaving_from_a_keitai(app, world, keitai):
    sato = world["sato"]
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, sato)
    token = re.search(r"ejs=([^&]+)", landing).group(1)
    page = html_of(phone.get(f"/leave?ejs={token}"))
    assert "退会" in page and len(page.encode("cp932", "replace")) <= 10 * 1024
    fields = {**hidden_fields(page, "/leave"), "password": PASSWORD}
    response = sjis_post(phone, form_action(page, "/leave"), fields)
    assert response.status_code == 302, html_of(response)
    db.session.expire_all()
    assert db.session.get(Member, sato.id).status == "left"
    assert phone.get(f"/profile/edit?ejs={token}").status_code in (302, 401)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/leave").status_code in (302, 401)
    assert client.post("/leave", data={"password": "x"}).status_code in (302, 401)
