"""Comments: who may write one, who may take one away, and who hears about a new one."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE, DiaryComment, DiaryFollow
from ejan.errors import Forbidden, NotFound
from ejan.extensions import db
from ejan.members import services as members
from ejan.notify.models import Notification

TITLE = "倉真の茶摘み"


def comments() -> list[DiaryComment]:
    db.session.expire_all()
    return list(db.session.scalars(select(DiaryComment).order_by(DiaryComment.id)))


def notified(member) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.member_id == member.id)))


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def entry(make_member):
    return services.create_entry(make_member("佐藤"), title=TITLE, body="今年も摘みました。", visibility=MEMBERS)


# --- writing a comment -------------------------------------------------------------------------------

def test_a_comment_is_stored_and_shown_under_the_entry(browser, make_member, entry):
    client = browser(make_member("鈴木"))
    response = client.post(f"/diary/{entry.id}/comments", data={"body": "おいしそう！\n今度ください。", "submit_token": "t1"})
    assert response.status_code == 302
    assert f"/diary/{entry.id}" in response.headers["Location"]
    (comment,) = comments()
    assert comment.body == "おいしそう！\n今度ください。"
    page = html(client.get(response.headers["Location"]))
    assert "おいしそう！<br>\n今度ください。" in page
    assert "鈴木" in page


def test_after_commenting_the_commenter_lands_on_the_page_with_their_comment(browser, make_member, entry):
    others = [make_member(f"会員{i}") for i in range(3)]
    for i in range(25):
        services.add_comment(others[i % 3], entry.id, f"コメント{i}")
    client = browser(make_member("鈴木"))
    response = client.post(f"/diary/{entry.id}/comments", data={"body": "二十六番目です"})
    assert "page=2" in response.headers["Location"]
    assert "二十六番目です" in html(client.get(response.headers["Location"]))


def test_an_empty_comment_is_refused_with_a_message(browser, make_member, entry):
    response = browser(make_member("鈴木")).post(f"/diary/{entry.id}/comments", data={"body": "  "})
    assert response.status_code == 400
    assert "入力してください。" in html(response) and TITLE in html(response)
    assert comments() == []


def test_an_overlong_comment_is_refused_and_the_text_is_kept(browser, make_member, entry):
    text = "あ" * 2001
    response = browser(make_member("鈴木")).post(f"/diary/{entry.id}/comments", data={"body": text})
    assert response.status_code == 400
    page = html(response)
    assert "コメントは2,000文字以内にしてください。" in page
    assert text in page
    assert comments() == []


@pytest.mark.parametrize("visibility, author_suspended", [(FRIENDS, False), (PRIVATE, False), (MEMBERS, True)],
                         ids=["friends-only", "private", "suspended-author"])
def test_a_comment_on_an_entry_the_commenter_cannot_see_is_refused(browser, make_member, visibility, author_suspended):
    sato, admin = make_member("佐藤"), make_member("管理者", role="admin")
    hidden = services.create_entry(sato, title="見えない日記", body="本文", visibility=visibility)
    if author_suspended:
        members.suspend(admin, sato)
    client = browser(make_member("鈴木"))
    response = client.post(f"/diary/{hidden.id}/comments", data={"body": "見えないはず", "follow": "y"})
    assert response.status_code == 404
    assert "見えない日記" not in html(response)
    assert comments() == []
    assert db.session.scalars(select(DiaryFollow)).all() == []


def test_a_comment_on_an_entry_that_does_not_exist_is_refused(browser, make_member):
    assert browser(make_member("鈴木")).post("/diary/999/comments", data={"body": "x"}).status_code == 404
    assert comments() == []


def test_the_same_comment_form_sent_twice_stores_one_comment(browser, make_member, entry):
    client = browser(make_member("鈴木"))
    first = client.post(f"/diary/{entry.id}/comments", data={"body": "二度押し", "submit_token": "same"})
    second = client.post(f"/diary/{entry.id}/comments", data={"body": "二度押し", "submit_token": "same"})
    assert first.status_code == second.status_code == 302
    assert len(comments()) == 1


def test_the_comment_page_shows_one_comment_with_its_entry(browser, make_member, entry):
    comment = services.add_comment(make_member("鈴木"), entry.id, "ひとこと")
    page = html(browser(make_member("田中")).get(f"/diary/comments/{comment.id}"))
    assert "ひとこと" in page and TITLE in page


# --- taking a comment away ------------------------------------------------------------------------------

@pytest.mark.parametrize("remover, allowed", [
    ("entry author", True),
    ("commenter", True),
    ("someone else", False),
    ("admin", False),
])
def test_who_may_delete_a_comment(browser, make_member, entry, remover, allowed):
    commenter = make_member("鈴木")
    comment = services.add_comment(commenter, entry.id, "消されるかも")
    actor = {"entry author": entry.author, "commenter": commenter,
             "someone else": make_member("田中"), "admin": make_member("管理者", role="admin")}[remover]
    client = browser(actor)
    confirm = client.get(f"/diary/comments/{comment.id}/delete")
    if allowed:
        assert confirm.status_code == 200 and "消されるかも" in html(confirm)
        assert len(comments()) == 1, "the confirmation page itself must not delete"
    else:
        assert confirm.status_code in (302, 403, 404)
        assert f'action="/diary/comments/{comment.id}/delete"' not in html(confirm)
    response = client.post(f"/diary/comments/{comment.id}/delete")
    if allowed:
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/diary/{entry.id}")
        assert comments() == []
    else:
        assert response.status_code in (302, 403, 404)
        assert len(comments()) == 1


def test_the_delete_link_is_shown_only_to_those_who_may_delete(browser, make_member, entry):
    commenter, other = make_member("鈴木"), make_member("田中")
    comment = services.add_comment(commenter, entry.id, "リンクの確認")
    link = f"/diary/comments/{comment.id}/delete"
    assert link in html(browser(entry.author).get(f"/diary/{entry.id}"))
    assert link in html(browser(commenter).get(f"/diary/{entry.id}"))
    assert link not in html(browser(other).get(f"/diary/{entry.id}"))


def test_deleting_someone_elses_comment_is_refused_by_the_rules_too(make_member, entry):
    comment = services.add_comment(make_member("鈴木"), entry.id, "残る")
    with pytest.raises(Forbidden):
        services.delete_comment(make_member("田中"), comment.id)
    with pytest.raises(NotFound):
        services.delete_comment(entry.author, 12345)
    assert len(comments()) == 1


# --- who hears about a new comment -----------------------------------------------------------------------

def test_the_author_and_the_commenters_who_asked_hear_of_a_new_comment(make_member, entry):
    follower, quiet, newcomer = make_member("鈴木"), make_member("田中"), make_member("高橋")
    services.add_comment(follower, entry.id, "続きが気になります", follow=True)
    services.add_comment(quiet, entry.id, "通知はいりません", follow=False)
    author_before = len(notified(entry.author))
    services.add_comment(newcomer, entry.id, "私も行きたい")
    assert len(notified(entry.author)) == author_before + 1
    (to_follower,) = [n for n in notified(follower) if n.actor_id == newcomer.id]
    assert (to_follower.kind, to_follower.subject, to_follower.link) == ("diary_comment", TITLE, f"/diary/{entry.id}")
    assert notified(quiet) == []
    assert notified(newcomer) == [], "nobody is told about their own comment"


def test_every_comment_tells_the_author_once(make_member, entry):
    suzuki = make_member("鈴木")
    services.add_comment(suzuki, entry.id, "一回目", follow=True)
    services.add_comment(suzuki, entry.id, "二回目", follow=True)
    got = notified(entry.author)
    assert [n.kind for n in got] == ["diary_comment", "diary_comment"]
    assert all(n.actor_id == suzuki.id and n.subject == TITLE for n in got)
    assert notified(suzuki) == []


def test_the_authors_own_comment_tells_the_followers_but_not_the_author(make_member, entry):
    follower = make_member("鈴木")
    services.add_comment(follower, entry.id, "質問です", follow=True)
    services.add_comment(entry.author, entry.id, "お答えします")
    assert notified(entry.author) == [n for n in notified(entry.author) if n.actor_id == follower.id]
    assert [n.actor_id for n in notified(follower)] == [entry.author_id]


def test_a_follower_who_may_no_longer_see_the_entry_is_not_told(make_member, befriend, entry):
    friend, stranger = make_member("鈴木"), make_member("田中")
    befriend(entry.author, friend)
    services.add_comment(friend, entry.id, "友達です", follow=True)
    services.add_comment(stranger, entry.id, "通りすがり", follow=True)
    services.update_entry(entry.author, entry.id, title=TITLE, body="友だちだけに", visibility=FRIENDS)
    services.add_comment(entry.author, entry.id, "友だち限定にしました")
    assert [n.actor_id for n in notified(friend)] == [stranger.id, entry.author_id]
    assert notified(stranger) == [], "the entry is friends-only now: 田中 may not even know it exists"


def test_the_follow_box_on_the_page_decides_whether_the_commenter_hears_more(browser, make_member, entry):
    follower, quiet, later = make_member("鈴木"), make_member("田中"), make_member("高橋")
    browser(follower).post(f"/diary/{entry.id}/comments", data={"body": "通知してね", "follow": "y"})
    browser(quiet).post(f"/diary/{entry.id}/comments", data={"body": "通知いらない"})  # box left unticked
    browser(later).post(f"/diary/{entry.id}/comments", data={"body": "あとから"})
    assert [n.actor_id for n in notified(follower)] == [quiet.id, later.id]
    assert notified(quiet) == []
    page = html(browser(entry.author).get("/notifications"))
    assert f"鈴木 さんが日記「{TITLE}」にコメントしました" in page


def test_the_follow_box_is_ticked_at_first(browser, make_member, entry):
    page = html(browser(make_member("鈴木")).get(f"/diary/{entry.id}"))
    box = re.search(r'<input[^>]*name="follow"[^>]*>', page)
    assert box and "checked" in box.group(0)
