"""The friend lifecycle, through the services and through the pages a resident clicks:
request (with a message) → the addressee sees it → accept / decline / cancel → remove."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ejan.errors import Invalid, NotFound
from ejan.extensions import db
from ejan.friends import services as friends
from ejan.friends.models import FriendRequest, Friendship, Introduction
from ejan.members import services as members
from ejan.members.models import Member
from ejan.notify.models import Notification


def friendship_rows(a, b) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Friendship).where(
            Friendship.member_id.in_([a.id, b.id]), Friendship.friend_id.in_([a.id, b.id])
        )
    )


def pending_requests() -> int:
    return db.session.scalar(select(func.count(FriendRequest.id)))


def body(response) -> str:
    return response.get_data(as_text=True)


# --- through the services --------------------------------------------------------------------------

def test_request_with_message_shows_in_addressees_incoming_list(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id, "  お茶摘みでお会いしましたね  ")

    page = friends.incoming(suzuki, 1, 20)
    assert [r.id for r in page.items] == [sent.id]
    assert page.items[0].from_member.nickname == "佐藤"
    assert page.items[0].message == "お茶摘みでお会いしましたね"
    assert [r.to_id for r in friends.outgoing(sato)] == [suzuki.id]
    assert friends.incoming_count(suzuki) == 1
    assert friends.incoming(sato, 1, 20).items == []
    assert friends.relation(sato, suzuki) == "requested"
    assert friends.relation(suzuki, sato) == "incoming"


def test_accepting_makes_both_members_friends_of_each_other(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id, "よろしく")

    assert friends.accept(suzuki, sent.id).id == sato.id

    assert [m.id for m in friends.friends_of(sato, 1, 20).items] == [suzuki.id]
    assert [m.id for m in friends.friends_of(suzuki, 1, 20).items] == [sato.id]
    assert friends.are_friends(sato.id, suzuki.id) and friends.are_friends(suzuki.id, sato.id)
    assert friendship_rows(sato, suzuki) == 2
    assert pending_requests() == 0
    assert friends.relation(sato, suzuki) == "friend"


def test_declining_leaves_both_without_friends_or_pending_request(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id)

    friends.decline(suzuki, sent.id)

    assert pending_requests() == 0
    assert friendship_rows(sato, suzuki) == 0
    assert friends.relation(sato, suzuki) == "none"


def test_requester_can_take_back_a_request(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id)

    friends.cancel(sato, sent.id)

    assert pending_requests() == 0
    assert friends.incoming(suzuki, 1, 20).items == []


def test_asking_to_befriend_yourself_is_refused(make_member):
    sato = make_member("佐藤")
    with pytest.raises(Invalid, match="自分自身"):
        friends.request_friend(sato, sato.id)
    assert pending_requests() == 0


def test_asking_twice_is_refused_with_a_message_and_keeps_one_request(make_member, mailbox):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id, "一回目")
    with pytest.raises(Invalid, match="すでに申請しています"):
        friends.request_friend(sato, suzuki.id, "二回目")

    assert pending_requests() == 1
    assert friends.incoming(suzuki, 1, 20).items[0].message == "一回目"
    assert len(mailbox.to(suzuki.email)) == 1  # the addressee is not mailed twice


def test_asking_an_existing_friend_is_refused(make_member, befriend):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    with pytest.raises(Invalid, match="すでにマイフレンド"):
        friends.request_friend(sato, suzuki.id)
    assert pending_requests() == 0


def test_too_long_request_message_is_refused(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    with pytest.raises(Invalid, match="500文字以内"):
        friends.request_friend(sato, suzuki.id, "あ" * 501)
    assert pending_requests() == 0


def test_asking_someone_who_already_asked_you_makes_you_friends(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(suzuki, sato.id, "鈴木です")

    assert friends.request_friend(sato, suzuki.id, "佐藤です") is None

    assert friendship_rows(sato, suzuki) == 2
    assert pending_requests() == 0
    accepted = db.session.scalars(select(Notification).where(Notification.kind == "friend_accepted")).all()
    assert [(n.member_id, n.actor_id) for n in accepted] == [(suzuki.id, sato.id)]


def test_accepting_the_same_request_twice_keeps_a_single_friendship(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id)
    friends.accept(suzuki, sent.id)

    with pytest.raises(NotFound):
        friends.accept(suzuki, sent.id)

    assert friendship_rows(sato, suzuki) == 2
    assert db.session.scalar(select(func.count()).select_from(Friendship)) == 2


@pytest.mark.filterwarnings("ignore:DELETE statement on table")
def test_double_tap_accept_racing_itself_keeps_a_single_friendship_and_one_notice(app, make_member):
    """Two taps that both read the request before either wrote (what two workers do at once)."""
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    request_id = friends.request_friend(sato, suzuki.id).id
    sato_id, suzuki_id = sato.id, suzuki.id

    with app.app_context():  # the second tap: its own session, reading first
        second_tap_actor = db.session.get(Member, suzuki_id)
        seen_by_second_tap = db.session.get(FriendRequest, request_id)  # held, as the tap's request holds it
        assert seen_by_second_tap is not None
        with app.app_context():  # the first tap runs to the end meanwhile
            assert friends.accept(db.session.get(Member, suzuki_id), request_id).id == sato_id
        assert friends.accept(second_tap_actor, request_id).id == sato_id

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Friendship)) == 2
    assert pending_requests() == 0
    accepted = db.session.scalars(select(Notification).where(Notification.kind == "friend_accepted")).all()
    assert len(accepted) == 1


def test_a_suspended_member_cannot_be_asked(make_member):
    sato, banned = make_member("佐藤"), make_member("停止", suspended=True)
    with pytest.raises(NotFound):
        friends.request_friend(sato, banned.id)
    assert pending_requests() == 0


def test_requests_from_a_member_suspended_since_are_hidden_and_cannot_be_accepted(make_member, browser, login):
    admin = make_member("管理者", role="admin")
    sato, spammer, suzuki = make_member("佐藤"), make_member("宣伝業者"), make_member("鈴木")
    spam = friends.request_friend(spammer, sato.id, "儲かる話があります")
    friends.request_friend(suzuki, sato.id, "鈴木です")
    members.suspend(admin, spammer)

    assert [r.from_id for r in friends.incoming(sato, 1, 20).items] == [suzuki.id]
    assert friends.incoming_count(sato) == 1
    with pytest.raises(NotFound):
        friends.accept(sato, spam.id)
    assert friendship_rows(sato, spammer) == 0

    web = browser()
    login(web, sato)
    page = body(web.get("/friends/requests"))
    assert "鈴木です" in page and "儲かる話があります" not in page
    assert "マイフレンド申請</a> <span class=\"badge\">1</span>" in body(web.get("/"))
    web.post(f"/friends/requests/{spam.id}/accept")
    assert friendship_rows(sato, spammer) == 0


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_addressee_can_answer_a_request(make_member, action):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    sent = friends.request_friend(sato, suzuki.id)

    for outsider in (sato, tanaka):  # not even the requester answers their own request
        with pytest.raises(NotFound):
            getattr(friends, action)(outsider, sent.id)

    assert pending_requests() == 1
    assert db.session.scalar(select(func.count()).select_from(Friendship)) == 0


def test_only_the_requester_can_cancel(make_member):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    sent = friends.request_friend(sato, suzuki.id)

    for outsider in (suzuki, tanaka):
        with pytest.raises(NotFound):
            friends.cancel(outsider, sent.id)
    assert pending_requests() == 1


def test_removing_a_friend_ends_it_both_ways_and_takes_their_introductions(make_member, befriend):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    befriend(sato, tanaka)
    befriend(suzuki, tanaka)
    friends.write_introduction(sato, suzuki.id, "鈴木さんは茶農家です")
    friends.write_introduction(suzuki, sato.id, "佐藤さんは先生です")
    friends.write_introduction(tanaka, sato.id, "田中から見た佐藤さん")
    friends.write_introduction(tanaka, suzuki.id, "田中から見た鈴木さん")

    friends.remove(suzuki, sato.id)

    assert friendship_rows(sato, suzuki) == 0
    assert friends.are_friends(sato.id, tanaka.id) and friends.are_friends(suzuki.id, tanaka.id)
    remaining = sorted(i.body for i in db.session.scalars(select(Introduction)))
    assert remaining == ["田中から見た佐藤さん", "田中から見た鈴木さん"]
    with pytest.raises(NotFound):
        friends.remove(suzuki, sato.id)


# --- through the pages --------------------------------------------------------------------------

def test_request_accept_through_the_pages(make_member, login, browser):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    web, other = browser(), browser()
    login(web, sato)
    login(other, suzuki)

    assert "マイフレンドに申請" in body(web.get(f"/members/{suzuki.id}"))
    form = web.get(f"/members/{suzuki.id}/friend-request")
    assert form.status_code == 200 and "鈴木 さんにマイフレンド申請" in body(form)
    sent = web.post(f"/members/{suzuki.id}/friend-request", data={"message": "お茶摘みで会いましたね"},
                          follow_redirects=True)
    assert "鈴木 さんにマイフレンド申請しました。" in body(sent)
    assert "マイフレンド申請中です" in body(sent)

    incoming = body(other.get("/friends/requests"))
    assert "佐藤" in incoming and "お茶摘みで会いましたね" in incoming
    assert "鈴木" in body(web.get("/friends/requests"))  # listed among the requests sato sent
    request_id = db.session.scalar(select(FriendRequest.id))

    accepted = other.post(f"/friends/requests/{request_id}/accept", follow_redirects=True)
    assert "佐藤 さんとマイフレンドになりました。" in body(accepted)
    assert "届いている申請はありません" in body(accepted)

    assert "鈴木" in body(web.get(f"/members/{sato.id}/friends"))
    assert "佐藤" in body(other.get(f"/members/{suzuki.id}/friends"))
    assert "（1人）" in body(web.get(f"/members/{sato.id}/friends"))
    assert "紹介文を書く" in body(web.get(f"/members/{suzuki.id}"))


def test_decline_and_cancel_through_the_pages(make_member, login, browser):
    web = browser()
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    from_tanaka = friends.request_friend(tanaka, suzuki.id)
    to_sato = friends.request_friend(suzuki, sato.id)
    login(web, suzuki)

    declined = web.post(f"/friends/requests/{from_tanaka.id}/decline", follow_redirects=True)
    assert "マイフレンド申請をお断りしました。" in body(declined)
    assert "届いている申請はありません" in body(declined)
    assert friendship_rows(suzuki, tanaka) == 0

    cancelled = web.post(f"/friends/requests/{to_sato.id}/cancel", follow_redirects=True)
    assert "マイフレンド申請を取り消しました。" in body(cancelled)
    assert "送った申請はありません" in body(cancelled)
    assert pending_requests() == 0
    assert friendship_rows(suzuki, sato) == 0


def test_someone_elses_request_cannot_be_answered_through_the_pages(make_member, login, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    sent = friends.request_friend(sato, suzuki.id)

    as_tanaka, as_sato, as_suzuki = browser(), browser(), browser()
    login(as_tanaka, tanaka)
    login(as_sato, sato)
    login(as_suzuki, suzuki)

    # Refused the way a stale button is: nothing changes, and the page says it was not done.
    attempts = [(as_tanaka, a) for a in ("accept", "decline", "cancel")]
    attempts += [(as_sato, "accept"), (as_sato, "decline"), (as_suzuki, "cancel")]
    for client, action in attempts:
        response = client.post(f"/friends/requests/{sent.id}/{action}", follow_redirects=True)
        assert "この申請はすでに処理されています。" in body(response), (action,)
    assert pending_requests() == 1


def test_second_tap_on_accept_says_it_is_done_and_friendship_stays_single(make_member, login, browser):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    sent = friends.request_friend(sato, suzuki.id)
    login(web, suzuki)

    assert web.post(f"/friends/requests/{sent.id}/accept").status_code == 302
    again = web.post(f"/friends/requests/{sent.id}/accept", follow_redirects=True)
    assert again.status_code == 200 and "この申請はすでに処理されています。" in body(again)
    assert friendship_rows(sato, suzuki) == 2


def test_asking_yourself_through_the_page_shows_why_not(make_member, login, browser):
    web = browser()
    sato = make_member("佐藤")
    login(web, sato)
    response = web.post(f"/members/{sato.id}/friend-request", data={"message": ""})
    assert response.status_code == 200
    assert "自分自身にはマイフレンド申請できません。" in body(response)
    assert pending_requests() == 0


def test_asking_twice_through_the_page_says_to_wait_for_an_answer(make_member, login, browser, mailbox):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    login(web, sato)
    assert web.post(f"/members/{suzuki.id}/friend-request", data={"message": "一回目"}).status_code == 302

    again = web.post(f"/members/{suzuki.id}/friend-request", data={"message": "二回目"})
    assert again.status_code == 200
    assert "お返事をお待ちください" in body(again)
    assert pending_requests() == 1
    assert len(mailbox.to(suzuki.email)) == 1


def test_asking_someone_who_asked_you_through_the_page_says_you_are_friends(make_member, login, browser):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(suzuki, sato.id)
    login(web, sato)

    assert "申請に答える" in body(web.get(f"/members/{suzuki.id}"))
    response = web.post(f"/members/{suzuki.id}/friend-request", data={"message": ""}, follow_redirects=True)
    assert "鈴木 さんとマイフレンドになりました。" in body(response)
    assert friendship_rows(sato, suzuki) == 2


def test_too_long_request_message_through_the_page_is_refused_in_japanese(make_member, login, browser):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    login(web, sato)
    response = web.post(f"/members/{suzuki.id}/friend-request", data={"message": "あ" * 501})
    assert response.status_code == 200
    assert "500文字以内" in body(response)
    assert pending_requests() == 0


def test_a_suspended_member_has_no_friend_request_page(make_member, login, browser):
    web = browser()
    sato, banned = make_member("佐藤"), make_member("停止", suspended=True)
    login(web, sato)
    assert web.get(f"/members/{banned.id}/friend-request").status_code == 404
    assert web.post(f"/members/{banned.id}/friend-request", data={"message": "x"}).status_code == 404
    assert pending_requests() == 0


def test_admin_cannot_send_a_request_to_a_suspended_member(make_member, login, browser):
    web = browser()
    admin, banned = make_member("管理者", role="admin"), make_member("停止", suspended=True)
    login(web, admin)
    assert web.post(f"/members/{banned.id}/friend-request", data={"message": "x"}).status_code == 404
    assert pending_requests() == 0


def test_removing_a_friend_asks_first_then_removes_both_ways(make_member, befriend, login, browser):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    friends.write_introduction(sato, suzuki.id, "鈴木さんは茶農家です")
    friends.write_introduction(suzuki, sato.id, "佐藤さんは先生です")
    login(web, sato)

    confirm = web.get(f"/members/{suzuki.id}/unfriend")
    assert confirm.status_code == 200
    assert "鈴木 さんをマイフレンドから外しますか？" in body(confirm)
    assert friendship_rows(sato, suzuki) == 2  # looking at the question changes nothing

    done = web.post(f"/members/{suzuki.id}/unfriend", follow_redirects=True)
    assert "鈴木 さんをマイフレンドから外しました。" in body(done)
    assert "マイフレンドに申請" in body(done)  # back to strangers on suzuki's profile
    assert friendship_rows(sato, suzuki) == 0
    assert db.session.scalar(select(func.count(Introduction.id))) == 0
    assert "まだマイフレンドがいません" in body(web.get(f"/members/{sato.id}/friends"))


def test_removing_someone_who_is_not_a_friend_is_not_found(make_member, login, browser):
    web = browser()
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    login(web, sato)
    assert web.post(f"/members/{suzuki.id}/unfriend").status_code == 404


def test_a_suspended_friend_disappears_from_friend_lists(make_member, befriend, login, browser):
    web = browser()
    admin = make_member("管理者", role="admin")
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    befriend(sato, tanaka)
    members.suspend(admin, suzuki)

    assert [m.id for m in friends.friends_of(sato, 1, 20).items] == [tanaka.id]
    assert friends.friend_count(sato) == 1
    login(web, sato)
    page = body(web.get(f"/members/{sato.id}/friends"))
    assert "田中" in page and "鈴木" not in page


def test_a_page_of_friends_and_their_count_come_together_as_the_viewer_sees_them(make_member, befriend):
    """friends_and_count() (one statement, the count as a window) says what friends_of() and friend_count() say,
    a suspended friend and one with a block between them and the viewer left out of both."""
    from ejan.members import blocking

    admin, viewer = make_member("管理者", role="admin"), make_member("読者")
    sato = make_member("佐藤")
    others = [make_member(f"友{i}") for i in range(6)]
    for other in others:
        befriend(sato, other)
    members.suspend(admin, others[0])
    blocking.block(viewer, others[1].id)
    for page in (1, 2, 3):
        found, count = friends.friends_and_count(sato, page, 2, viewer=viewer)
        assert [m.id for m in found.items] == [m.id for m in friends.friends_of(sato, page, 2, viewer=viewer).items]
        assert found.has_next == (page == 1) and count == friends.friend_count(sato, viewer=viewer) == 4
    assert friends.friends_and_count(sato, 7, 2, viewer=viewer) == (friends.friends_of(sato, 7, 2, viewer=viewer), 4)
    assert friends.friends_and_count(make_member("ひとり"), 1, 2)[1] == 0
