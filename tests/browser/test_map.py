"""The map in headless Chromium with the site's own CSP: markers drawn from GeoJSON, every asset from
the site itself (no request leaves the machine), no CSP violation, and click-to-place filling the form.

The screenshot is written to the test's temporary folder, or where EJAN_MAP_SCREENSHOT says
(scripts/map_screenshot.sh sets it to docs/images/map.png)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL
from ejan.maps.categories import CATEGORY_CODES
from ejan.maps.models import Pin
from support import PASSWORD, PC_UA

pytestmark = pytest.mark.browser

LOCAL_TILE = "/static/maps/test-tile.png?z={z}&x={x}&y={y}"


@pytest.fixture
def town(app, make_member):
    app.config["EJAN_MAP_TILES_URL"], before = LOCAL_TILE, app.config["EJAN_MAP_TILES_URL"]
    author = make_member("地図係")
    # A ring of pins of every kind around city hall, and a tight group that the map clusters.
    for i, code in enumerate(CATEGORY_CODES):
        db.session.add(Pin(author_id=author.id, title=f"{code} の例", category=code, description="",
                           lat=CITY_HALL[0] + 0.006 * ((i % 3) - 1), lon=CITY_HALL[1] + 0.008 * ((i // 3) - 1)))
    for i in range(12):
        db.session.add(Pin(author_id=author.id, title=f"集まり{i}", category="facility", description="",
                           lat=34.7745 + i * 0.0002, lon=138.0135 + i * 0.0002))
    db.session.commit()
    yield author
    app.config["EJAN_MAP_TILES_URL"] = before


@pytest.fixture
def map_page(chromium, live_server, csrf_on):
    contexts = []

    def open_(member):
        context = chromium.new_context(base_url=live_server, locale="ja-JP", viewport={"width": 1280, "height": 900},
                                       user_agent=PC_UA)  # the site's own CSP stays on
        context.set_default_timeout(15_000)
        contexts.append(context)
        outside, problems = [], []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server)
                      else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto("/login")
        page.fill("input[name=email]", member.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        return page, outside, problems

    yield open_
    for context in contexts:
        context.close()


def test_the_map_draws_markers_from_the_site_alone_and_is_photographed(town, map_page, tmp_path):
    page, outside, problems = map_page(town)
    page.goto("/map")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator("body[data-pins-loaded]").wait_for()
    markers = frame.locator(".awesome-marker")
    clusters = frame.locator(".marker-cluster")
    frame.locator(".awesome-marker").first.wait_for()
    assert markers.count() >= 5 and clusters.count() >= 1
    assert frame.locator(".leaflet-control-layers-overlays label").count() == len(CATEGORY_CODES)
    assert frame.locator(".leaflet-tile-loaded").count() > 0
    assert "地理院タイル" in frame.locator(".leaflet-control-attribution").inner_text()
    # Bootstrap styles the frame only: our page keeps its own font and colours.
    assert "Hiragino" in page.evaluate("getComputedStyle(document.body).fontFamily")
    frame.locator('.awesome-marker[title="shelter の例"]').dispatch_event("click")
    popup = frame.locator(".ejan-popup a")
    popup.wait_for()
    assert popup.inner_text() == "shelter の例" and popup.get_attribute("href").startswith("/map/pins/")
    path = Path(os.environ.get("EJAN_MAP_SCREENSHOT") or tmp_path / "map.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    assert outside == [], outside
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_a_click_on_the_map_fills_the_forms_latitude_and_longitude(town, map_page):
    page, outside, problems = map_page(town)
    page.goto("/map/pins/new")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator(".leaflet-container").wait_for()
    frame.locator(".leaflet-container").click(position={"x": 200, "y": 150})
    page.wait_for_function("document.getElementById('lat').value !== ''")
    lat, lon = float(page.input_value("#lat")), float(page.input_value("#lon"))
    assert 34.6 < lat < 34.9 and 137.9 < lon < 138.1
    assert outside == [] and not [p for p in problems if "Refused" in p], problems


def test_a_verified_damage_report_shows_on_the_map_as_its_own_layer_during_an_event(town, make_member, map_page):
    from ejan.disaster import events, reports

    admin = make_member("防災課", role="admin")
    event = events.start_event("大雨による浸水", "flood", ["大東"], {"ja": {"title": "開設", "body": "避難所を開設"}},
                               by=admin)
    report = reports.create_report(town, event, category="road", body="橋の手前で通行止め",
                                   lat=CITY_HALL[0] + 0.002, lon=CITY_HALL[1] - 0.003)
    reports.triage(admin, report.id, "verified")
    page, outside, problems = map_page(make_member("住民"))
    page.goto("/map")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator("body[data-layer-disaster_reports-loaded]").wait_for()
    overlays = frame.locator(".leaflet-control-layers-overlays label")
    assert overlays.count() == len(CATEGORY_CODES) + 1 and "まちかどレポート" in overlays.last.inner_text()
    marker = frame.locator('.awesome-marker[title="確認済み 道路の通行止め"]')
    marker.wait_for()
    marker.dispatch_event("click")
    popup = frame.locator(".ejan-popup a")
    popup.wait_for()
    assert popup.get_attribute("href") == f"/disaster/reports/{report.id}"
    assert frame.locator(".ejan-popup-badge").inner_text() == "確認済み"
    overlays.last.locator("input").uncheck()  # its own layer: the control hides it
    marker.wait_for(state="detached")
    assert outside == [], outside
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
