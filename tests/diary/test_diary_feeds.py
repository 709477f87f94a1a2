"""The lists a resident reads: new from my friends, new across the site, a member's diary page by page,
the monthly archive with its calendar, and search."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from PIL import Image

from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE
from ejan.extensions import db
from support import html_of

BASE = datetime(2026, 5, 1, 3, 0)  # 12:00 in Japan


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (30, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def write(author, title, visibility=MEMBERS, *, at=None, body="本文"):
    entry = services.create_entry(author, title=title, body=body, visibility=visibility)
    if at is not None:
        entry.created_at = at
        db.session.commit()
    return entry


def titles(response, pattern=r'class="entry-title"[^>]*>([^<]+)</a>') -> list[str]:
    assert response.status_code == 200
    return re.findall(pattern, response.get_data(as_text=True))


# --- new from my friends ---------------------------------------------------------------------------------

def test_the_friends_feed_shows_friends_entries_newest_first_and_nothing_else(browser, make_member, befriend):
    me, friend, friend2, stranger = (make_member(n) for n in ("佐藤", "鈴木", "高橋", "田中"))
    befriend(me, friend)
    befriend(me, friend2)
    write(friend, "鈴木の古い日記", at=BASE)
    write(friend2, "高橋の友だち限定", FRIENDS, at=BASE + timedelta(hours=1))
    write(friend, "鈴木の新しい日記", at=BASE + timedelta(hours=2))
    write(friend, "鈴木の非公開", PRIVATE, at=BASE + timedelta(hours=3))
    write(stranger, "田中の日記", at=BASE + timedelta(hours=4))
    write(me, "自分の日記", at=BASE + timedelta(hours=5))
    assert titles(browser(me).get("/diary/friends")) == ["鈴木の新しい日記", "高橋の友だち限定", "鈴木の古い日記"]


def test_the_friends_feed_says_so_when_friends_have_written_nothing(browser, make_member):
    page = browser(make_member("佐藤")).get("/diary/friends").get_data(as_text=True)
    assert "マイフレンドの日記はまだありません。" in page


def test_the_friends_feed_goes_on_to_a_second_page(browser, make_member, befriend):
    me, friend = make_member("佐藤"), make_member("鈴木")
    befriend(me, friend)
    for i in range(25):
        write(friend, f"日記{i:02d}", at=BASE + timedelta(minutes=i))
    client = browser(me)
    first = client.get("/diary/friends")
    assert titles(first) == [f"日記{i:02d}" for i in range(24, 4, -1)]
    assert "/diary/friends?page=2" in first.get_data(as_text=True)
    assert titles(client.get("/diary/friends?page=2")) == [f"日記{i:02d}" for i in range(4, -1, -1)]


# --- new across the site ------------------------------------------------------------------------------

def test_the_site_feed_shows_only_entries_for_all_members_from_everyone(browser, make_member, befriend):
    me, friend, stranger = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(me, friend)
    write(stranger, "田中のみんなへ", at=BASE)
    write(friend, "鈴木の友だち限定", FRIENDS, at=BASE + timedelta(hours=1))
    write(me, "自分のみんなへ", at=BASE + timedelta(hours=2))
    write(me, "自分の非公開", PRIVATE, at=BASE + timedelta(hours=3))
    assert titles(browser(me).get("/diary/everyone")) == ["自分のみんなへ", "田中のみんなへ"]


def test_lists_show_how_many_comments_and_photos_an_entry_has(browser, make_member, keitai, login):
    me, other = make_member("佐藤"), make_member("鈴木")
    entry = services.create_entry(other, title="コメント付き", body="本文", visibility=MEMBERS,
                                  photos=[io.BytesIO(jpeg()), io.BytesIO(jpeg())])
    for text in ("一", "二"):
        services.add_comment(me, entry.id, text)
    write(me, "何もない日記", at=BASE)
    page = browser(me).get("/diary/everyone").get_data(as_text=True)
    with_both, bare = page.split("何もない日記")
    assert "鈴木" in with_both and "コメント2件" in with_both and "写真2枚" in with_both
    assert "佐藤" in bare and "件" not in bare and "枚" not in bare
    # The keitai's list says the same, shorter: (2) after the title, 写真2 after the author.
    phone = keitai("au")
    login(phone, me)
    listed = html_of(phone.get("/diary/everyone"))
    assert re.search(r">コメント付き</a>\(2\)<br>\s*鈴木 [^<]* 写真2<br>", listed), listed
    assert re.search(r">何もない日記</a><br>\s*佐藤 [0-9/]+<br>", listed), listed


# --- a member's diary, and the monthly archive --------------------------------------------------------------

def test_a_members_diary_goes_page_by_page_newest_first(browser, make_member):
    sato = make_member("佐藤")
    for i in range(23):
        write(sato, f"日記{i:02d}", at=BASE + timedelta(days=i))
    client = browser(make_member("鈴木"))
    assert titles(client.get(f"/members/{sato.id}/diary"))[:2] == ["日記22", "日記21"]
    assert titles(client.get(f"/members/{sato.id}/diary?page=2")) == ["日記02", "日記01", "日記00"]


def test_my_diary_is_my_own_members_diary_page(browser, make_member):
    sato = make_member("佐藤")
    response = browser(sato).get("/diary")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/members/{sato.id}/diary")


def test_the_monthly_archive_follows_the_japanese_calendar(browser, make_member):
    sato = make_member("佐藤")
    write(sato, "三月末の昼", at=datetime(2026, 3, 31, 3, 0))  # 3/31 12:00 in Japan
    write(sato, "四月一日の早朝", at=datetime(2026, 3, 31, 20, 0))  # 4/1 05:00 in Japan, still 3/31 in UTC
    write(sato, "四月十日", at=datetime(2026, 4, 10, 1, 0))
    client = browser(make_member("鈴木"))
    assert titles(client.get(f"/members/{sato.id}/diary/2026/3")) == ["三月末の昼"]
    april = client.get(f"/members/{sato.id}/diary/2026/4")
    assert set(titles(april)) == {"四月一日の早朝", "四月十日"}
    page = april.get_data(as_text=True)
    assert '<a href="#day-1"><strong>1</strong></a>' in page and '<a href="#day-10"><strong>10</strong></a>' in page
    assert '<strong>2</strong>' not in page
    assert "この月の日記はありません。" in client.get(f"/members/{sato.id}/diary/2026/5").get_data(as_text=True)


@pytest.mark.parametrize("year, month", [(2026, 13), (2026, 0), (1999, 12), (2101, 1)])
def test_a_month_that_does_not_exist_is_not_found(browser, make_member, year, month):
    sato = make_member("佐藤")
    assert browser(sato).get(f"/members/{sato.id}/diary/{year}/{month}").status_code == 404


def test_the_archive_shows_only_what_the_viewer_may_see(browser, make_member, befriend):
    sato, friend, other = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, friend)
    for title, visibility in (("みんなへ", MEMBERS), ("友だちへ", FRIENDS), ("自分へ", PRIVATE)):
        write(sato, title, visibility, at=datetime(2026, 4, 10, 1, 0))
    url = f"/members/{sato.id}/diary/2026/4"
    assert set(titles(browser(friend).get(url))) == {"みんなへ", "友だちへ"}
    other_page = browser(other).get(url)
    assert titles(other_page) == ["みんなへ"]


# --- search -------------------------------------------------------------------------------------------

def search(client, q):
    return client.get(f"/diary/search?q={quote(q)}")


def test_search_finds_words_in_titles_and_bodies(browser, make_member):
    sato = make_member("佐藤")
    write(sato, "深蒸し茶の淹れ方", body="お湯は70度で。")
    write(sato, "花鳥園", body="深蒸し茶のソフトクリームを食べた。")
    write(sato, "掛川城", body="天守閣に登った。")
    client = browser(make_member("鈴木"))
    assert set(titles(search(client, "深蒸し"))) == {"深蒸し茶の淹れ方", "花鳥園"}
    assert titles(search(client, "天守閣")) == ["掛川城"]


def test_search_never_finds_what_the_searcher_may_not_see(browser, make_member, befriend):
    sato, friend, other = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, friend)
    write(sato, "秘密の茶園", PRIVATE)
    write(sato, "友だちの茶園", FRIENDS)
    assert titles(search(browser(other), "茶園")) == []
    assert titles(search(browser(friend), "茶園")) == ["友だちの茶園"]
    assert "見られる日記の中に「茶園」は見つかりませんでした。" in search(browser(other), "茶園").get_data(as_text=True)


def test_percent_and_underscore_are_searched_as_themselves(browser, make_member):
    sato = make_member("佐藤")
    write(sato, "割引100%", body="本日限り")
    write(sato, "普通の日記", body="何もなし")
    write(sato, "a_b", body="下線")
    client = browser(make_member("鈴木"))
    assert titles(search(client, "100%")) == ["割引100%"]
    assert titles(search(client, "%")) == ["割引100%"]
    assert titles(search(client, "_")) == ["a_b"]


def test_search_ignores_ascii_case(browser, make_member):
    write(make_member("佐藤"), "Kakegawa Castle")
    assert titles(search(browser(make_member("鈴木")), "kakegawa")) == ["Kakegawa Castle"]


def test_an_empty_search_explains_itself_and_an_overlong_one_is_refused(browser, make_member):
    write(make_member("佐藤"), "何か")
    client = browser(make_member("鈴木"))
    empty = search(client, "   ").get_data(as_text=True)
    assert "タイトルと本文から探します" in empty
    long = search(client, "茶" * 101)
    assert long.status_code == 200
    assert "検索語は100文字以内にしてください。" in long.get_data(as_text=True)


def test_search_results_go_on_to_a_second_page(browser, make_member):
    sato = make_member("佐藤")
    for i in range(22):
        write(sato, f"茶{i:02d}", at=BASE + timedelta(minutes=i))
    client = browser(make_member("鈴木"))
    first = search(client, "茶")
    assert len(titles(first)) == 20
    assert "page=2" in first.get_data(as_text=True)
    assert titles(client.get(f"/diary/search?q={quote('茶')}&page=2")) == ["茶01", "茶00"]
