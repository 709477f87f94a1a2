"""The keitai map: a list without script, by district and category, nearest first, under 10 KB a page."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL
from ejan.geo.position import wgs84_to_tokyo
from support import html_of, keitai_login, links, session_token

STATION = (34.7692, 138.0146)  # 掛川駅, about 1.5 km east of city hall


def fill(make_pin, author, count=40):
    """Pins in a line running east from city hall, every 100 m or so, the longest titles a pin has."""
    for i in range(count):
        make_pin(author, f"{i:03d}" + "茶" * 97, lat=CITY_HALL[0], lon=CITY_HALL[1] + i * 0.0011,
                 category="facility" if i % 2 else "hazard", district="掛川第一" if i < 20 else "西郷",
                 description="説明" * 500, commit=False)
    db.session.commit()


def listed(page: str) -> list[str]:
    """The numbers that start the listed pins' titles, in the order shown."""
    return re.findall(r'<a href="/map/pins/[0-9]+[^"]*">([0-9]{3})', page)


def login_and_open(phone, member, args: dict) -> str:
    """The list as this phone opens it with `args`, carrying the URL session of a cookieless phone."""
    token = session_token(keitai_login(phone, member))
    query = {**({"ejs": token} if token else {}), **args}
    return html_of(phone.get("/map?" + urlencode(query, encoding="cp932")))


def test_the_list_pages_stay_under_ten_kilobytes_and_page_through(make_member, make_pin, keitai):
    author = make_member()
    fill(make_pin, author)
    for kind in ("docomo_nocookie", "au", "softbank3g", "jphone"):
        phone = keitai(kind)
        url = keitai_login(phone, author)
        url = "/map" + ("?" + url.split("?", 1)[1] if "?" in url else "")
        pages = 0
        while url:
            response = phone.get(url)
            assert response.status_code == 200  # the test app fails any keitai page over 10 KB
            assert len(response.data) <= 10 * 1024 and b"<script" not in response.data
            pages += 1
            next_links = [h for h in links(html_of(response), "/map?") if "page=" in h and "accesskey" not in h]
            following = [h for h in next_links if f"page={pages + 1}" in h]
            url = following[0] if following else None
        assert pages == 4, kind


def test_nearest_first_from_a_docomo_position(make_member, make_pin, keitai):
    author = make_member()
    fill(make_pin, author)
    # Standing at the station: the pins nearest it are the eastern end of the line.
    page = login_and_open(keitai("docomo_nocookie"), author,
                          {"lat": "+34.46.09.120", "lon": "+138.00.52.560", "geo": "wgs84"})
    titles = listed(page)
    assert titles[0] in ("015", "014", "016")
    assert "現在地から近い順" in page and "m" in page


def test_nearest_first_from_an_au_tokyo_datum_position_and_a_softbank_one(make_member, make_pin, keitai):
    author = make_member()
    fill(make_pin, author)
    lat, lon = wgs84_to_tokyo(*CITY_HALL)
    for kind, args in (("au", {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "datum": "1", "unit": "1"}),
                       ("softbank3g", {"pos": "N34.46.07.56E137.59.53.40", "geo": "wgs84"})):
        page = login_and_open(keitai(kind), author, args)
        assert listed(page)[0] == "000", kind


def test_the_district_and_category_filters(make_member, make_pin, keitai):
    author = make_member()
    fill(make_pin, author)
    page = login_and_open(keitai("au"), author, {"district": "西郷", "category": "hazard"})
    shown = listed(page)
    assert shown and all(20 <= int(t) and int(t) % 2 == 0 for t in shown)
    assert "西郷の中心から近い順" in page


def test_each_carrier_gets_its_own_position_link(make_member, keitai):
    member = make_member()
    expected = {"docomo_nocookie": " lcs", "au": "device:gpsone?url=", "softbank3g": "location:auto?url="}
    for kind, mark in expected.items():
        assert mark in login_and_open(keitai(kind), member, {}), kind


def test_a_pin_page_links_to_the_map_service_from_settings(app, make_member, make_pin, keitai):
    author = make_member()
    pin = make_pin(author, "掛川城")
    phone = keitai("au")
    keitai_login(phone, author)
    page = html_of(phone.get(f"/map/pins/{pin.id}"))
    assert "https://maps.gsi.go.jp/#16/34.768767/137.998168/" in page
    app.config["EJAN_MAP_LINK"], before = "https://map.example/?q={lat},{lon}", app.config["EJAN_MAP_LINK"]
    try:
        assert "https://map.example/?q=34.768767,137.998168" in html_of(phone.get(f"/map/pins/{pin.id}"))
    finally:
        app.config["EJAN_MAP_LINK"] = before


def test_the_keitai_home_leads_to_the_list(make_member, keitai):
    phone = keitai("au")
    keitai_login(phone, make_member())
    assert "/map" in " ".join(links(html_of(phone.get("/")), "/map"))
