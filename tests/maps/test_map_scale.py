"""With 20,000 pins the map page is the same page as with 10: at most 100 KB, and the map page, its
frame and the GeoJSON endpoint run the same number of SQL statements whatever the pin count.

The keitai list nearest first looks in a small circle first and orders the whole city only when the
circle cannot fill the page: one statement more in a nearly empty town, never more in a full one."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import insert

from ejan.clock import utcnow
from ejan.extensions import db
from ejan.maps.categories import CATEGORY_CODES
from ejan.maps.models import Pin
from support import count_queries, keitai_login, session_token

SMALL, LARGE = 10, 20_000
PAGES = [("pc", "/map"), ("pc", "/map/frame"), ("pc", "/map/frame?category=hazard,shelter&period=all"),
         ("pc", "/api/pins.geojson"), ("pc", "/api/pins.geojson?bbox=137.9,34.6,138.2,34.9&category=facility"),
         ("keitai", "/map")]
NEAREST = [("keitai", "/map?lat=%2B34.46.12.000&lon=%2B138.00.55.000&geo=wgs84"),
           ("keitai", "/map?district=%E8%A5%BF%E9%83%B7")]


def grow(author_id: int, start: int, end: int) -> None:
    rng = random.Random(start)
    now = utcnow()
    rows = [{"title": f"ピン{i}", "category": CATEGORY_CODES[i % len(CATEGORY_CODES)], "description": "", "district": "西郷",
             "lat": 34.70 + rng.random() * 0.12, "lon": 137.93 + rng.random() * 0.12, "author_id": author_id,
             "created_at": now} for i in range(start, end)]
    db.session.execute(insert(Pin), rows)
    db.session.commit()


def measure(clients, token, pages=PAGES) -> dict:
    measured = {}
    for kind, url in pages:
        client = clients[kind]
        if kind == "keitai" and token:
            url += ("&" if "?" in url else "?") + f"ejs={token}"
        client.get(url)  # warm: the frame's Folium document is built once per set of options
        with count_queries(db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        measured[(kind, url.split("ejs=")[0])] = (counter.count, len(response.data))
    return measured


def test_twenty_thousand_pins_leave_the_map_page_and_its_queries_as_they_are(make_member, browser, keitai):
    author = make_member("地図係")
    clients = {"pc": browser(author), "keitai": keitai("au")}
    token = session_token(keitai_login(clients["keitai"], author))
    grow(author.id, 0, SMALL)
    small, small_nearest = measure(clients, token), measure(clients, token, NEAREST)
    grow(author.id, SMALL, LARGE)
    large, large_nearest = measure(clients, token), measure(clients, token, NEAREST)
    for page, (few, _) in small_nearest.items():
        assert large_nearest[page][0] <= few, (page, few, large_nearest[page][0])
    for page, (queries, size) in small.items():
        large_queries, large_size = large[page]
        assert large_queries == queries, (page, queries, large_queries)
        if page[1].startswith(("/map/frame", "/map")) and "geojson" not in page[1] and page[0] == "pc":
            assert large_size == size <= 100 * 1024, (page, size, large_size)
