"""The private Atom feed, so residents can follow a diary in a feed reader: a secret address, only
entries written for all members, and an address that can be renewed (the old one dies) or switched off."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE
from ejan.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


def write(author, title, visibility=MEMBERS, *, body="本文", at=None):
    entry = services.create_entry(author, title=title, body=body, visibility=visibility)
    if at is not None:
        entry.created_at = at
        db.session.commit()
    return entry


def feed_url_on_settings_page(client) -> str | None:
    page = client.get("/diary/settings").get_data(as_text=True)
    match = re.search(r"http://ejan\.test(/diary/feed/[^<\s]+\.atom)", page)
    return match.group(1) if match else None


def entry_titles(response) -> list[str]:
    root = ET.fromstring(response.data)  # raises on anything that is not well-formed XML
    assert root.tag == f"{ATOM}feed"
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


@pytest.fixture
def sato(make_member):
    return make_member("佐藤")


@pytest.fixture
def reader(app):
    """A feed reader: no cookies, no login."""
    return app.test_client(use_cookies=False)


def enable_feed(browser, member):
    client = browser(member)
    response = client.post("/diary/settings", data={"default_visibility": MEMBERS, "feed_enabled": "y"})
    assert response.status_code == 302
    return client


def test_a_reader_gets_the_entries_for_all_members_as_atom_without_logging_in(browser, reader, sato, make_member):
    write(sato, "古い日記", at=datetime(2026, 4, 1))
    write(sato, "友だち限定", FRIENDS, at=datetime(2026, 4, 2))
    write(sato, "非公開", PRIVATE, at=datetime(2026, 4, 3))
    newest = write(sato, "新しい日記", at=datetime(2026, 4, 4))
    write(make_member("鈴木"), "他人の日記")
    url = feed_url_on_settings_page(enable_feed(browser, sato))
    response = reader.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert entry_titles(response) == ["新しい日記", "古い日記"]
    root = ET.fromstring(response.data)
    assert "佐藤" in root.find(f"{ATOM}title").text
    link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link == f"http://ejan.test/diary/{newest.id}"


def test_text_that_looks_like_markup_keeps_the_feed_valid(browser, reader, sato):
    write(sato, "R&D <試作>", body='<b>"太字"</b> & https://example.jp/?a=1&b=2 ]]>')
    response = reader.get(feed_url_on_settings_page(enable_feed(browser, sato)))
    assert entry_titles(response) == ["R&D <試作>"]
    content = ET.fromstring(response.data).find(f"{ATOM}entry/{ATOM}content").text
    assert content == '<b>"太字"</b> & https://example.jp/?a=1&b=2 ]]>'


def test_a_control_character_pasted_into_an_entry_does_not_break_the_feed(browser, reader, sato):
    write(sato, "貼り付け\x0bた題", body="表計算から\x01貼り付け\x1fた\tタブと\n改行")
    response = reader.get(feed_url_on_settings_page(enable_feed(browser, sato)))
    assert response.status_code == 200
    (title,) = entry_titles(response)
    assert "貼り付け" in title


def test_an_entry_made_private_leaves_the_feed(browser, reader, sato):
    entry = write(sato, "最初はみんなへ")
    url = feed_url_on_settings_page(enable_feed(browser, sato))
    assert entry_titles(reader.get(url)) == ["最初はみんなへ"]
    services.update_entry(sato, entry.id, title="最初はみんなへ", body="本文", visibility=PRIVATE)
    assert entry_titles(reader.get(url)) == []


def test_the_feed_holds_the_latest_twenty(browser, reader, sato):
    for i in range(25):
        write(sato, f"日記{i:02d}", at=datetime(2026, 4, 1) + timedelta(hours=i))
    titles = entry_titles(reader.get(feed_url_on_settings_page(enable_feed(browser, sato))))
    assert titles == [f"日記{i:02d}" for i in range(24, 4, -1)]


def test_an_empty_diary_still_gives_a_valid_feed(browser, reader, sato):
    assert entry_titles(reader.get(feed_url_on_settings_page(enable_feed(browser, sato)))) == []


def test_renewing_the_address_kills_the_old_one(browser, reader, sato):
    write(sato, "日記")
    client = enable_feed(browser, sato)
    old = feed_url_on_settings_page(client)
    response = client.post("/diary/settings/renew-feed")
    assert response.status_code == 302
    new = feed_url_on_settings_page(client)
    assert new and new != old
    assert reader.get(old).status_code == 404
    assert entry_titles(reader.get(new)) == ["日記"]


def test_renewing_needs_a_post_and_a_login(browser, reader, sato):
    client = enable_feed(browser, sato)
    old = feed_url_on_settings_page(client)
    assert client.get("/diary/settings/renew-feed").status_code == 405
    assert browser().post("/diary/settings/renew-feed").status_code == 302
    assert reader.get(old).status_code == 200


def test_a_switched_off_feed_is_not_found_and_its_address_is_hidden(browser, reader, sato):
    write(sato, "日記")
    client = enable_feed(browser, sato)
    url = feed_url_on_settings_page(client)
    client.post("/diary/settings", data={"default_visibility": MEMBERS})  # feed box unticked
    assert reader.get(url).status_code == 404
    assert feed_url_on_settings_page(client) is None


def test_a_feed_never_switched_on_is_not_found(reader, sato):
    write(sato, "日記")
    # The address it would have, had it been switched on.
    assert reader.get(f"/diary/feed/{sato.id}-{services._feed_mac(sato.id, 0)}.atom").status_code == 404


@pytest.mark.parametrize("token", [
    "{id}-00000000000000000000000000000000",
    "{id}",
    "{id}-",
    "{other}-{mac}",
    "nonsense",
    "-{mac}",
    "99999999999999999999999-{mac}",
    "²-{mac}",
    "{id}-{mac}x",
], ids=["wrong-key", "no-key", "empty-key", "someone-elses-id", "nonsense", "no-id", "huge-id", "superscript-digit",
        "key-with-extra"])
def test_a_wrong_feed_address_is_not_found(browser, reader, sato, make_member, token):
    write(sato, "日記")
    enable_feed(browser, sato)
    other = make_member("鈴木")
    enable_feed(browser, other)
    right = services.feed_token(sato)
    mac = right.split("-", 1)[1]
    response = reader.get(f"/diary/feed/{token.format(id=sato.id, other=other.id, mac=mac)}.atom")
    assert response.status_code == 404
    assert b"<feed" not in response.data


def test_the_settings_page_keeps_the_default_visibility(browser, sato):
    client = browser(sato)
    client.post("/diary/settings", data={"default_visibility": PRIVATE})
    assert services.settings_for(sato).default_visibility == PRIVATE
    page = client.get("/diary/settings").get_data(as_text=True)
    chosen = [o for o in re.findall(r"<option([^>]*)>", page) if "selected" in o]
    assert len(chosen) == 1 and 'value="private"' in chosen[0]


def test_a_made_up_default_visibility_is_refused(browser, sato):
    response = browser(sato).post("/diary/settings", data={"default_visibility": "everyone"})
    assert response.status_code == 200
    assert "公開範囲を選んでください。" in response.get_data(as_text=True)
    assert services.settings_for(sato).default_visibility == MEMBERS


def test_switching_the_feed_off_and_on_gives_a_new_address(browser, reader, sato):
    write(sato, "日記")
    client = enable_feed(browser, sato)
    old = feed_url_on_settings_page(client)
    assert client.post("/diary/settings", data={"default_visibility": MEMBERS}).status_code == 302
    assert reader.get(old).status_code == 404

    enable_feed(browser, sato)
    enable_feed(browser, sato)  # saving the settings again while on keeps the address

    new = feed_url_on_settings_page(client)
    assert new and new != old
    assert reader.get(old).status_code == 404
    assert entry_titles(reader.get(new)) == ["日記"]
    assert feed_url_on_settings_page(client) == new
