"""Deep pages of the diary lists: "次へ" starts after the last entry shown, and shows what page numbers would."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from ejan.diary import services
from ejan.diary.models import MEMBERS, DiaryEntry
from ejan.extensions import db
from ejan.pagination import format_key, parse_key
from ejan.search_grams import grams
from support import count_queries


@pytest.fixture
def diaries(make_member):
    writer, reader = make_member("書き手"), make_member("読者")
    start = datetime(2026, 4, 1)
    # Pairs written in the same second: the id breaks the tie, so no entry is skipped or shown twice.
    db.session.add_all([DiaryEntry(author_id=writer.id, title=f"日記{i}", body="茶", visibility=MEMBERS,
                                   search_grams=grams(f"日記{i}", "茶"),  # as the diary service keeps them
                                   created_at=start + timedelta(seconds=i // 2)) for i in range(25)])
    db.session.commit()
    return writer, reader


def test_following_next_keys_walks_the_same_entries_as_page_numbers(diaries):
    writer, reader = diaries
    by_number = [e.id for n in range(1, 6) for e in services.site_feed(reader, n, 6).items]
    walked, page, after = [], services.site_feed(reader, 1, 6), None
    while True:
        walked += [e.id for e in page.items]
        if not page.has_next:
            assert page.next_after is None
            break
        after = page.next_after
        page = services.site_feed(reader, page.next_number, 6, after)
    assert walked == by_number and len(walked) == 25


@pytest.mark.parametrize("list_of", ["site", "friends", "member", "search"])
def test_every_diary_list_hands_out_next_keys(diaries, befriend, list_of):
    writer, reader = diaries
    befriend(writer, reader)
    pages = {"site": lambda n, after: services.site_feed(reader, n, 10, after),
             "friends": lambda n, after: services.friends_feed(reader, n, 10, after),
             "member": lambda n, after: services.entries_of(reader, writer, n, 10, after),
             "search": lambda n, after: services.search(reader, "茶", n, 10, after)}
    first = pages[list_of](1, None)
    second = pages[list_of](2, first.next_after)
    assert second.items == pages[list_of](2, None).items
    assert first.next_after and not {e.id for e in first.items} & {e.id for e in second.items}
    assert min(e.created_at for e in first.items) >= max(e.created_at for e in second.items)


def test_a_tampered_key_falls_back_to_the_page_number(diaries):
    _writer, reader = diaries
    assert parse_key("2.20260401000000000000-x", 2) is None and parse_key("2.99999999999999999999-1", 2) is None
    assert [e.id for e in services.site_feed(reader, 2, 6, "nonsense").items] == \
           [e.id for e in services.site_feed(reader, 2, 6).items]
    moment = datetime(2026, 4, 1, 9, 30, 15, 123456)
    assert parse_key(format_key(2, moment, 42), 2) == (moment, 42)


def test_a_key_made_for_another_page_is_not_used(diaries):
    """A page number edited by hand in a next link shows that page, not the one the key leads to."""
    _writer, reader = diaries
    key = services.site_feed(reader, 1, 6).next_after
    assert [e.id for e in services.site_feed(reader, 3, 6, key).items] == \
           [e.id for e in services.site_feed(reader, 3, 6).items]


def test_the_next_link_carries_the_key_on_pc_and_keitai(diaries, browser, keitai, login):
    _writer, reader = diaries
    pc = browser(reader)
    html = pc.get("/diary/everyone").get_data(as_text=True)
    link = re.search(r'href="(/diary/everyone\?[^"]*after=2\.[0-9]{20}-[0-9]+[^"]*)"', html)
    assert link, "the PC pager links the next page by key"
    assert "page=2" in link.group(1).replace("&amp;", "&")
    phone = keitai("au")
    login(phone, reader)
    page = phone.get("/diary/everyone").data.decode("cp932")
    assert re.search(r"after=2\.[0-9]{20}-[0-9]+", page), "the keitai pager too"


def test_a_page_reached_by_its_key_skips_no_rows(diaries):
    """The point of the key: the database starts at the row, instead of reading and dropping OFFSET rows."""
    _writer, reader = diaries
    key = services.site_feed(reader, 1, 6).next_after
    with count_queries(db.engine) as counter:
        services.site_feed(reader, 2, 6, key)
    listing = next(s for s in counter.statements if "FROM diary_entries" in s)
    assert "(diary_entries.created_at, diary_entries.id) <" in listing
    if db.engine.dialect.name == "postgresql":  # SQLite writes OFFSET with every LIMIT, 0 here
        assert "OFFSET" not in listing.upper()
