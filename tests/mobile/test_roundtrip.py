"""Saving a keitai edit form unchanged keeps the emoji, 𠮷 and Hangul the phone could not show."""
from __future__ import annotations

import pytest

import ejan.mobile.render  # noqa: F401  registers the ejan-geta encoder the pages use
from ejan.mobile.roundtrip import restore, shown_as

ENC = "cp932"


def phone_sees(text: str) -> str:
    return "".join(shown_as(c, ENC) for c in text)


@pytest.mark.parametrize("stored", [
    "新茶🍵を摘みました",
    "𠮷野家で昼ごはん",
    "안녕하세요 と挨拶",
    "普通の日本語だけ",
    "自分で〓と書いた",
])
def test_saving_unchanged_gives_back_exactly_what_was_stored(stored):
    assert restore(stored, phone_sees(stored), ENC) == stored


def test_an_edit_away_from_the_emoji_keeps_the_emoji():
    stored = "新茶🍵を摘みました。\n明日は雨。"
    edited = phone_sees(stored).replace("明日は雨", "明日は晴れ")
    assert restore(stored, edited, ENC) == "新茶🍵を摘みました。\n明日は晴れ。"


def test_an_edit_right_at_a_stand_in_is_refused():
    stored = "新茶🍵を摘みました"
    edited = phone_sees(stored).replace("〓を", "を")  # the resident deleted the stand-in
    assert restore(stored, edited, ENC) is None
    assert restore(stored, phone_sees(stored).replace("茶〓", "茶葉〓"), ENC) is None


def test_a_stand_in_the_resident_typed_stays_a_geta():
    stored = "𠮷田さん"
    edited = phone_sees(stored) + "〓"
    assert restore(stored, edited, ENC) == "𠮷田さん〓"


def test_line_endings_from_the_phone_do_not_count_as_edits():
    stored = "一行目🍵\n二行目"
    assert restore(stored, phone_sees(stored).replace("\n", "\r\n"), ENC) == stored


def test_a_keitai_saving_a_diary_entry_unchanged_keeps_its_emoji(keitai, make_member, login):
    from ejan.diary import services as diary
    from ejan.diary.models import MEMBERS
    from ejan.extensions import db
    from support import sjis_post

    member = make_member()
    entry = diary.create_entry(member, title="お茶🍵", body="𠮷田さんと🍵。안녕", visibility=MEMBERS)
    phone = keitai("au")
    login(phone, member)
    sjis_post(phone, f"/diary/{entry.id}/edit", {
        "title": phone_sees(entry.title), "body": phone_sees(entry.body) + "\n追記", "visibility": MEMBERS})
    db.session.expire_all()
    assert (entry.title, entry.body) == ("お茶🍵", "𠮷田さんと🍵。안녕\n追記")


def test_a_keitai_edit_made_at_a_stand_in_is_refused_and_the_entry_kept(keitai, make_member, login):
    from ejan.diary import services as diary
    from ejan.diary.models import MEMBERS
    from ejan.extensions import db
    from support import sjis_post

    member = make_member()
    entry = diary.create_entry(member, title="お茶", body="新茶🍵です", visibility=MEMBERS)
    phone = keitai("au")
    login(phone, member)
    response = sjis_post(phone, f"/diary/{entry.id}/edit", {
        "title": "お茶", "body": "新茶です", "visibility": MEMBERS})
    assert response.status_code == 200
    assert "〓" in response.data.decode("cp932")  # the message names the stand-in
    db.session.expire_all()
    assert entry.body == "新茶🍵です"
