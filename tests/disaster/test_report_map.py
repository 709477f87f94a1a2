"""Reports on the city map: the disaster feature adds its layer (ejan.features.MapLayer) only while an
event is on; its GeoJSON keeps to the bounding box, to what the viewer may see, and to a fixed number
of statements however many reports there are."""
from __future__ import annotations

import json

import pytest

from ejan.disaster import events, reports
from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL
from ejan.members.models import Block

from helpers_disaster import start
from support import count_queries

LAT, LON = CITY_HALL
LABEL = json.dumps("まちかどレポート")  # as the frame's script writes it
INSIDE = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
AWAY = (LAT + 0.05, LON + 0.05)  # still in Kakegawa, outside INSIDE


@pytest.fixture
def world(make_member):
    admin = make_member("防災課", role="admin")
    member = make_member("佐藤", district="大東")
    return admin, member, start(admin)


def _report(event, author, status, admin, *, place=(LAT, LON), body="道路に亀裂"):
    report = reports.create_report(author, event, category="road", body=body, lat=place[0], lon=place[1])
    if status != "unverified":
        reports.triage(admin, report.id, status)
    return report


def test_the_report_layer_is_on_the_map_frame_only_while_an_event_is_on(world, browser):
    admin, member, event = world
    client = browser(member)
    during = client.get("/map/frame").get_data(as_text=True)
    assert f"{LABEL} : marker_cluster_" in during  # a layer of its own in the layer control
    assert '"url": "/disaster/reports.geojson"' in during and '"disaster_reports": marker_cluster_' in during
    place = client.get("/map/frame?place=1").get_data(as_text=True)  # the pin form's map places, no layers
    assert "/disaster/reports.geojson" not in place
    events.end_event(admin, event)
    after = client.get("/map/frame").get_data(as_text=True)
    assert LABEL not in after and "/disaster/reports.geojson" not in after


def test_in_a_drill_the_report_layer_is_named_as_a_drill(world, browser):
    admin, member, event = world
    events.end_event(admin, event)
    start(admin, drill=True)
    frame = browser(member).get("/map/frame").get_data(as_text=True)
    assert f"{json.dumps('【訓練】まちかどレポート')} : marker_cluster_" in frame


def test_the_layer_geojson_keeps_to_the_bounding_box(world, browser):
    admin, member, event = world
    near = _report(event, member, "verified", admin)
    far = _report(event, member, "verified", admin, place=AWAY)
    client = browser(member)
    everywhere = client.get("/disaster/reports.geojson").get_json()
    assert {f["id"] for f in everywhere["features"]} == {near.id, far.id}
    response = client.get(f"/disaster/reports.geojson?bbox={INSIDE}")
    assert response.mimetype == "application/geo+json"
    feature, = response.get_json()["features"]
    assert feature["id"] == near.id and feature["geometry"]["coordinates"] == [LON, LAT]
    props = feature["properties"]
    assert props["url"] == f"/disaster/reports/{near.id}" and props["badge"] == "確認済み"
    assert props["muted"] is False and props["title"] == "道路の通行止め"
    assert client.get(props["url"]).status_code == 200
    for bad in ("1,2,3", "x,y,z,w", "138,35,137,34", "nan,1,2,3"):
        assert client.get(f"/disaster/reports.geojson?bbox={bad}").status_code == 400


@pytest.mark.parametrize("viewer", ["logged_out", "member", "blocked", "admin"])
def test_the_layer_shows_each_viewer_what_the_disaster_rules_let_them_see(world, make_member, browser, viewer):
    admin, member, event = world
    author = make_member("投稿者")
    rows = {status: _report(event, author, status, admin, body=status)
            for status in ("unverified", "verified", "resolved", "hidden")}
    blocked = make_member("ブロック")
    db.session.add(Block(blocker_id=author.id, blocked_id=blocked.id))
    db.session.commit()
    who = {"logged_out": None, "member": member, "blocked": blocked, "admin": admin}[viewer]
    data = browser(who).get(f"/disaster/reports.geojson?bbox={INSIDE}").get_json()
    shown = {f["properties"]["status"] for f in data["features"]}
    expected = {"logged_out": {"verified", "resolved"}, "member": {"unverified", "verified", "resolved"},
                "blocked": set(), "admin": {"unverified", "verified", "resolved", "hidden"}}[viewer]
    assert shown == expected
    for status, report in rows.items():  # the SQL twin agrees with the rule reports.can_see
        assert (status in shown) == reports.can_see(who, report)
    for feature in data["features"]:
        unverified = feature["properties"]["status"] == "unverified"
        assert feature["properties"]["muted"] is unverified
        assert (feature["properties"]["badge"] == "未確認") is unverified


def test_the_layer_geojson_runs_the_same_statements_for_three_reports_or_three_hundred(world, make_member, browser):
    admin, member, event = world
    client = browser(member)

    def measure():
        client.get(f"/disaster/reports.geojson?bbox={INSIDE}")  # warm the cached event summary
        with count_queries(db.engine) as counter:
            response = client.get(f"/disaster/reports.geojson?bbox={INSIDE}")
        return counter.count, len(response.get_json()["features"])

    for n in range(3):
        _report(event, member, "verified", admin, body=f"報告{n}")
    few, three = measure()
    authors = [make_member(f"住民{n}") for n in range(10)]
    for n in range(297):
        reports.create_report(authors[n % 10], event, category="fire", body=f"火事{n}", lat=LAT, lon=LON)
    many, shown = measure()
    assert three == 3 and shown == 300 and many == few
    assert len(reports.geojson(member, event, limit=50)["features"]) == 50  # the cap holds


def test_without_an_event_the_layer_endpoint_is_not_found(world, browser):
    admin, member, event = world
    events.end_event(admin, event)
    assert browser(member).get("/disaster/reports.geojson").status_code == 404
