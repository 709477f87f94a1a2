"""紹介文: what a friend writes about a member, shown on that member's profile."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ejan.errors import Invalid, NotFound
from ejan.extensions import db
from ejan.friends import services as friends
from ejan.friends.models import Introduction
from ejan.members import services as members


def body(response) -> str:
    return response.get_data(as_text=True)


def introductions() -> list[Introduction]:
    return list(db.session.scalars(select(Introduction).order_by(Introduction.id)))


# --- the rules --------------------------------------------------------------------------------------

def test_only_a_friend_can_write_an_introduction(make_member, befriend):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)

    friends.write_introduction(suzuki, sato.id, "佐藤さんは小学校の先生です")
    with pytest.raises(NotFound):
        friends.write_introduction(tanaka, sato.id, "知らない人ですが")
    with pytest.raises(NotFound):
        friends.write_introduction(sato, sato.id, "自分で自分を紹介")

    assert [i.body for i in introductions()] == ["佐藤さんは小学校の先生です"]


def test_writing_again_replaces_the_earlier_introduction(make_member, befriend):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)

    first = friends.write_introduction(suzuki, sato.id, "最初の紹介文")
    second = friends.write_introduction(suzuki, sato.id, "  書き直した紹介文  ")

    assert second.id == first.id
    assert [(i.author_id, i.about_id, i.body) for i in introductions()] == [(suzuki.id, sato.id, "書き直した紹介文")]


def test_empty_or_too_long_introduction_is_refused(make_member, befriend):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)

    with pytest.raises(Invalid, match="紹介文を入力してください"):
        friends.write_introduction(suzuki, sato.id, "   \n ")
    with pytest.raises(Invalid, match="2000文字以内"):
        friends.write_introduction(suzuki, sato.id, "茶" * 2001)
    assert friends.write_introduction(suzuki, sato.id, "茶" * 2000).body == "茶" * 2000


def test_author_or_subject_can_delete_an_introduction_but_nobody_else(make_member, befriend):
    sato, suzuki, tanaka, admin = make_member("佐藤"), make_member("鈴木"), make_member("田中"), make_member(
        "管理者", role="admin")
    befriend(sato, suzuki)
    befriend(sato, tanaka)
    by_suzuki = friends.write_introduction(suzuki, sato.id, "鈴木より")
    by_tanaka = friends.write_introduction(tanaka, sato.id, "田中より")

    for outsider in (tanaka, admin):
        with pytest.raises(NotFound):
            friends.delete_introduction(outsider, by_suzuki.id)

    friends.delete_introduction(suzuki, by_suzuki.id)  # the author takes it back
    friends.delete_introduction(sato, by_tanaka.id)  # the subject removes it from their page
    assert introductions() == []


def test_introductions_by_suspended_authors_are_not_shown(make_member, befriend):
    admin = make_member("管理者", role="admin")
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    befriend(sato, tanaka)
    friends.write_introduction(suzuki, sato.id, "鈴木より")
    friends.write_introduction(tanaka, sato.id, "田中より")
    members.suspend(admin, tanaka)

    assert [i.body for i in friends.introductions_for(sato)] == ["鈴木より"]


# --- through the pages ------------------------------------------------------------------------------

def test_friend_writes_an_introduction_and_it_shows_on_the_profile(make_member, befriend, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    as_suzuki = browser(suzuki)

    form = as_suzuki.get(f"/members/{sato.id}/introduction")
    assert form.status_code == 200 and "佐藤 さんの紹介文を書く" in body(form)
    saved = as_suzuki.post(f"/members/{sato.id}/introduction", data={"body": "佐藤さんは掛川城のボランティアガイドです"},
                           follow_redirects=True)
    assert "紹介文を保存しました。" in body(saved)
    assert "佐藤さんは掛川城のボランティアガイドです" in body(saved)

    profile = body(browser(tanaka).get(f"/members/{sato.id}"))  # anyone logged in reads it
    assert "佐藤さんは掛川城のボランティアガイドです" in profile
    assert "鈴木</a>" in profile


def test_editing_an_introduction_shows_only_the_new_text(make_member, befriend, browser):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    as_suzuki = browser(suzuki)
    as_suzuki.post(f"/members/{sato.id}/introduction", data={"body": "古い紹介文"})

    form = body(as_suzuki.get(f"/members/{sato.id}/introduction"))
    assert "古い紹介文" in form  # the form starts from what was written
    assert "この紹介文を削除" in form
    as_suzuki.post(f"/members/{sato.id}/introduction", data={"body": "新しい紹介文"})

    profile = body(as_suzuki.get(f"/members/{sato.id}"))
    assert "新しい紹介文" in profile and "古い紹介文" not in profile
    assert db.session.scalar(select(func.count(Introduction.id))) == 1


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_introduction_is_shown_again_with_a_message(make_member, befriend, browser, text):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)

    response = browser(suzuki).post(f"/members/{sato.id}/introduction", data={"body": text})

    assert response.status_code == 200
    assert "入力してください。" in body(response)
    assert "佐藤 さんの紹介文を書く" in body(response)
    assert introductions() == []


def test_too_long_introduction_is_refused_in_japanese(make_member, befriend, browser):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)

    response = browser(suzuki).post(f"/members/{sato.id}/introduction", data={"body": "茶" * 2001})

    assert response.status_code == 200
    assert "紹介文は2000文字以内にしてください。" in body(response)
    assert introductions() == []


def test_a_non_friend_gets_no_introduction_form_and_cannot_post_one(make_member, browser):
    sato, tanaka = make_member("佐藤"), make_member("田中")
    as_tanaka = browser(tanaka)

    assert as_tanaka.get(f"/members/{sato.id}/introduction").status_code == 404
    assert as_tanaka.post(f"/members/{sato.id}/introduction", data={"body": "こんにちは"}).status_code == 404
    assert "紹介文を書く" not in body(as_tanaka.get(f"/members/{sato.id}"))
    assert introductions() == []


def test_subject_and_author_see_a_delete_button_others_do_not(make_member, befriend, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    intro = friends.write_introduction(suzuki, sato.id, "鈴木より")
    button = f'action="/introductions/{intro.id}/delete"'

    assert button in body(browser(sato).get(f"/members/{sato.id}"))
    assert button in body(browser(suzuki).get(f"/members/{sato.id}"))
    assert button not in body(browser(tanaka).get(f"/members/{sato.id}"))


def test_subject_deletes_an_introduction_from_their_profile(make_member, befriend, browser):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    intro = friends.write_introduction(suzuki, sato.id, "消してほしい紹介文")

    done = browser(sato).post(f"/introductions/{intro.id}/delete", follow_redirects=True)

    assert "紹介文を削除しました。" in body(done)
    assert "消してほしい紹介文" not in body(done)
    assert introductions() == []


def test_author_deletes_their_own_introduction(make_member, befriend, browser):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    intro = friends.write_introduction(suzuki, sato.id, "取り下げる紹介文")

    assert browser(suzuki).post(f"/introductions/{intro.id}/delete").status_code == 302
    assert introductions() == []


def test_someone_else_cannot_delete_an_introduction(make_member, befriend, browser):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    admin = make_member("管理者", role="admin")
    befriend(sato, suzuki)
    befriend(sato, tanaka)
    intro = friends.write_introduction(suzuki, sato.id, "残るべき紹介文")

    assert browser(tanaka).post(f"/introductions/{intro.id}/delete").status_code == 404
    assert browser(admin).post(f"/introductions/{intro.id}/delete").status_code == 404
    assert [i.body for i in introductions()] == ["残るべき紹介文"]
