"""お知らせ: a friend request tells the addressee (in the site and by mail), an acceptance tells the
requester, the notifications page lists them in Japanese and marks them read."""
from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from ejan.errors import Invalid
from ejan.extensions import db
from ejan.friends import services as friends
from ejan.friends.models import FriendRequest
from ejan.members import services as members
from ejan.notify import services as notify
from ejan.notify.models import Notification
from support import form_action, html_of, keitai_login, phone_ua, session_token, sjis_post


def html(response) -> str:
    return response.get_data(as_text=True)


def notifications_of(member) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.member_id == member.id).order_by(Notification.id)
    ))










def home_badge(page: str) -> int:
    """The unread count next to お知らせ on the home page; no badge means 0."""
    match = re.search(r'お知らせ</a>\s*<span class="badge">(\d+)</span>', page)
    return int(match.group(1)) if match else 0


# --- a friend request -----------------------------------------------------------------------------

def test_friend_request_puts_a_notice_in_the_addressees_inbox(make_member, browser, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    browser(sato).post(f"/members/{suzuki.id}/friend-request", data={"message": "お茶摘みで会いましたね"})

    [notice] = notifications_of(suzuki)
    assert (notice.kind, notice.actor_id, notice.link, notice.read_at) == (
        "friend_requested", sato.id, "/friends/requests", None)
    assert notifications_of(sato) == []


def test_friend_request_mails_the_addressee_with_text_and_html(make_member, browser, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    browser(sato).post(f"/members/{suzuki.id}/friend-request", data={"message": "お茶摘みで会いましたね"})

    [mail] = mailbox.to(suzuki.email)
    assert mailbox.to(sato.email) == []
    assert mail["Subject"] == "佐藤 さんからマイフレンド申請が届きました"
    assert mail["To"] == suzuki.email
    assert mail.get_content_type() == "multipart/alternative"
    text = mailbox.text_of(mail)
    assert "鈴木 さん" in text
    assert "「お茶摘みで会いましたね」" in text
    assert "http://ejan.test/friends/requests" in text
    page = mail.get_body(("html",)).get_content()
    assert "<strong>佐藤</strong> さんからマイフレンド申請が届きました。" in page
    assert 'href="http://ejan.test/friends/requests"' in page


def test_request_message_with_markup_is_plain_text_in_the_html_mail(make_member, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id, '<a href="http://evil.example">当選しました</a>')

    page = mailbox.to(suzuki.email)[0].get_body(("html",)).get_content()
    assert "evil.example" in page
    assert '<a href="http://evil.example">' not in page
    assert "&lt;a href=" in page


def test_a_keitai_mail_address_gets_a_text_only_mail(make_member, mailbox):
    sato = make_member("佐藤")
    suzuki = members.create_member("suzuki-k@docomo.ne.jp", "鈴木", "tea-harvest-2026")
    friends.request_friend(sato, suzuki.id, "よろしく")

    [mail] = mailbox.to("suzuki-k@docomo.ne.jp")
    assert not mail.is_multipart()
    assert "佐藤 さんからマイフレンド申請が届きました。" in mailbox.text_of(mail)


def test_a_refused_second_request_sends_no_second_notice(make_member, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id)
    with pytest.raises(Invalid):
        friends.request_friend(sato, suzuki.id)

    assert len(notifications_of(suzuki)) == 1
    assert len(mailbox.to(suzuki.email)) == 1


# --- an acceptance ----------------------------------------------------------------------------------

def test_acceptance_tells_the_requester_in_the_site(make_member, browser, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id)
    request_id = db.session.scalar(select(FriendRequest.id))

    browser(suzuki).post(f"/friends/requests/{request_id}/accept")

    [notice] = notifications_of(sato)
    assert (notice.kind, notice.actor_id, notice.link) == ("friend_accepted", suzuki.id, f"/members/{suzuki.id}")
    assert [n.kind for n in notifications_of(suzuki)] == ["friend_requested"]  # nothing new for the accepter

    page = html(browser(sato).get("/notifications"))
    assert f'<a href="/members/{suzuki.id}">鈴木 さんがマイフレンド申請を承認しました</a>' in page


def test_declining_tells_the_requester_nothing(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id)
    friends.decline(suzuki, sent.id)
    assert notifications_of(sato) == []


# --- the notifications page ------------------------------------------------------------------------

def test_notifications_page_lists_notices_in_japanese_and_marks_them_read(make_member, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    friends.request_friend(sato, suzuki.id)
    friends.request_friend(tanaka, suzuki.id)
    as_suzuki = browser(suzuki)
    assert home_badge(html(as_suzuki.get("/"))) == 2

    page = html(as_suzuki.get("/notifications"))

    assert '<a href="/friends/requests">佐藤 さんからマイフレンド申請が届きました</a>' in page
    assert '<a href="/friends/requests">田中 さんからマイフレンド申請が届きました</a>' in page
    assert page.index("田中 さん") < page.index("佐藤 さん")  # newest first
    assert page.count("新着") == 2  # shown as new on the visit that reads them
    assert notify.unread_count(suzuki) == 0
    assert home_badge(html(as_suzuki.get("/"))) == 0
    assert "新着" not in html(as_suzuki.get("/notifications"))


def test_empty_notifications_page_says_there_is_nothing_yet(make_member, browser):
    page = html(browser(make_member("佐藤")).get("/notifications"))
    assert "お知らせはまだありません。" in page


def test_one_members_notices_are_not_shown_to_another_nor_marked_read(make_member, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    friends.request_friend(sato, suzuki.id)
    friends.request_friend(suzuki, tanaka.id)

    page = html(browser(tanaka).get("/notifications"))

    assert "鈴木 さんからマイフレンド申請が届きました" in page
    assert "佐藤 さん" not in page
    assert notify.unread_count(suzuki) == 1  # still waiting for suzuki
    assert home_badge(html(browser(suzuki).get("/"))) == 1


def test_notification_links_never_carry_a_session_id(make_member, browser, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id)
    friends.accept(suzuki, db.session.scalar(select(FriendRequest.id)))

    for who in (sato, suzuki):
        page = html(browser(who).get("/notifications"))
        hrefs = re.findall(r'href="([^"]*)"', page)
        assert hrefs and not [h for h in hrefs if "ejs=" in h]
    assert all("ejs=" not in n.link for n in db.session.scalars(select(Notification)))


def test_notices_made_while_serving_a_cookieless_keitai_link_without_its_session_id(
        app, make_member, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    with app.test_request_context("/", headers={"User-Agent": phone_ua("docomo_nocookie")}):
        assert "ejs=" in url_for("friends.requests")  # this phone's own links do carry its session
        friends.request_friend(sato, suzuki.id, "携帯から")
        request_id = db.session.scalar(select(FriendRequest.id))
        friends.accept(suzuki, request_id)

    links = [n.link for n in db.session.scalars(select(Notification))]
    assert sorted(links) == sorted(["/friends/requests", f"/members/{suzuki.id}"])
    [mail] = mailbox.to(suzuki.email)
    assert "ejs=" not in mailbox.text_of(mail)
    assert "ejs=" not in mail.get_body(("html",)).get_content()
    assert "http://ejan.test/friends/requests" in mailbox.text_of(mail).splitlines()


def test_request_sent_from_a_cookieless_keitai_never_hands_its_session_id_to_the_addressee(
        keitai, make_member, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    phone = keitai("docomo_nocookie")
    token = session_token(keitai_login(phone, sato))
    action = form_action(html_of(phone.get(f"/members/{suzuki.id}/friend-request?ejs={token}")),
                         "/friend-request")
    assert f"ejs={token}" in action  # the phone's own pages carry its session

    assert sjis_post(phone, action, {"message": "携帯から送りました"}).status_code == 302

    [notice] = notifications_of(suzuki)
    assert notice.link == "/friends/requests"
    [mail] = mailbox.to(suzuki.email)
    assert "「携帯から送りました」" in mailbox.text_of(mail)
    for part in (mailbox.text_of(mail), mail.get_body(("html",)).get_content()):
        assert token not in part and "ejs=" not in part
    # The addressee reads it on a cookieless phone too: the link carries the reader's session only.
    reader = keitai("docomo_nocookie")
    reader_token = session_token(keitai_login(reader, suzuki))
    page = html_of(reader.get(f"/notifications?ejs={reader_token}")).replace("&amp;", "&")
    assert f"/friends/requests?ejs={reader_token}" in page
    assert token not in page


def test_a_friend_request_made_outside_any_web_request_still_notifies(app, make_member, mailbox):
    # As from a CLI command or a Celery task: no request context, so links come from the URL map alone.
    from ejan.friends import services as friend_services
    from ejan.notify.models import Notification

    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friend_services.request_friend(sato, suzuki.id, "はじめまして")
    notification = db.session.scalar(select(Notification).where(Notification.member_id == suzuki.id))
    assert notification.link == "/friends/requests"
    assert mailbox.to(suzuki.email)
