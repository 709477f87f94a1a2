"""Search for one- and two-character words (茶, 掛川) over the grams kept beside each entry."""
import pytest
from sqlalchemy import func, select

from ejan.diary import services
from ejan.diary.models import MEMBERS, DiaryEntry
from ejan.extensions import db
from ejan.search_grams import grams, query_grams


def test_grams_hold_each_character_and_each_neighbouring_pair():
    assert set(query_grams("茶")) <= set(grams("新茶"))
    assert set(query_grams("掛川")) <= set(grams("", "掛川駅まで"))
    assert not set(query_grams("茶掛")) <= set(grams("新茶", "掛川"))  # no pair across title and body
    assert grams("Tea") == grams("tEA")  # search is case-insensitive, so are the grams


def test_one_and_two_character_words_are_found_and_others_are_not(make_member):
    sato, reader = make_member("佐藤"), make_member("読者")
    tea = services.create_entry(sato, title="新茶", body="今年もおいしい", visibility=MEMBERS)
    station = services.create_entry(sato, title="散歩", body="掛川駅まで歩きました", visibility=MEMBERS)
    found = lambda q: [e.id for e in services.search(reader, q, 1, 20).items]  # noqa: E731
    assert found("茶") == [tea.id]
    assert found("掛川") == [station.id]
    assert found("川駅ま") == [station.id]
    assert found("茶畑") == []


def test_an_edited_entry_is_found_by_its_new_words(make_member):
    sato, reader = make_member("佐藤"), make_member("読者")
    entry = services.create_entry(sato, title="散歩", body="公園", visibility=MEMBERS)
    services.update_entry(sato, entry.id, title="散歩", body="茶畑", visibility=MEMBERS)
    assert [e.id for e in services.search(reader, "茶畑", 1, 20).items] == [entry.id]
    assert services.search(reader, "公園", 1, 20).items == []


def test_the_migrations_sql_grams_agree_with_the_services(make_member):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the grams live in PostgreSQL only; SQLite searches with LIKE")
    sato = make_member("佐藤")
    for title, body in [("一番茶の摘み取り", "天気がよくて ABC def 😀 x\n改行"), ("Ｔｅａ", "茶"), ("a", "B")]:
        entry = services.create_entry(sato, title=title, body=body, visibility=MEMBERS)
        stored = db.session.scalar(select(DiaryEntry.search_grams).where(DiaryEntry.id == entry.id))
        assert stored == grams(title, body)
        assert db.session.scalar(select(func.ejan_search_grams(title, body))) == stored
