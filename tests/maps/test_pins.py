"""Adding pins and finding them: the city boundary with the form kept, categories, periods, GeoJSON,
double submits and shelters."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ejan.errors import Forbidden, Invalid
from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL
from ejan.maps import services
from ejan.maps.models import Pin
from ejan.members.models import Member
from support import at_the_same_moment, html_of, keitai_login, sjis_post

from .conftest import FUTURE, PAST

OUTSIDE = (34.9756, 138.3828)  # Shizuoka city hall: not Kakegawa


def pin_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Pin.id)))


def test_a_pin_outside_the_city_is_refused_and_the_form_keeps_what_was_typed(make_member, browser):
    client = browser(make_member())
    response = client.post("/map/pins/new", data={
        "title": "静岡の公園", "category": "facility", "lat": str(OUTSIDE[0]), "lon": str(OUTSIDE[1]),
        "description": "ここは市外です", "submit_token": "t1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "掛川市の外" in page
    assert 'value="静岡の公園"' in page and "ここは市外です" in page and f'value="{OUTSIDE[0]}"' in page
    assert pin_count() == 0


def test_a_pin_without_numbers_for_its_place_keeps_the_typed_text(make_member, browser):
    response = browser(make_member()).post("/map/pins/new", data={
        "title": "どこか", "category": "facility", "lat": "北のほう", "lon": "", "submit_token": "t1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "緯度と経度" in page and 'value="北のほう"' in page


def test_a_pin_inside_the_city_is_stored_once_however_often_the_form_is_sent(make_member, browser):
    client = browser(make_member())
    data = {"title": "掛川城", "category": "facility", "lat": str(CITY_HALL[0]), "lon": str(CITY_HALL[1]),
            "district": "掛川第一", "submit_token": "same-form"}
    first = client.post("/map/pins/new", data=data)
    second = client.post("/map/pins/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert pin_count() == 1


def test_two_submits_of_one_form_at_the_same_moment_make_one_pin(app, make_member, monkeypatch):
    author_id = make_member().id
    data = services.PinInput(title="同時", category="facility", lat=CITY_HALL[0], lon=CITY_HALL[1])

    def send():
        return services.create_pin(db.session.get(Member, author_id), data, submit_token="race").id

    # check_pin runs after the duplicate lookup and before the insert: both threads pass it.
    ids, _ = at_the_same_moment(app, monkeypatch, services, "check_pin", send)
    assert ids[0] == ids[1] and pin_count() == 1


def test_a_keitai_adds_a_pin_and_a_mistake_keeps_its_text(make_member, keitai):
    member = make_member()
    phone = keitai("au")
    keitai_login(phone, member)
    response = sjis_post(phone, "/map/pins/new", {"title": "市外の店", "category": "facility",
                                                  "lat": "35.0", "lon": "138.5", "submit_token": "k1"})
    page = html_of(response)
    assert response.status_code == 400 and "市外の店" in page and "掛川市の外" in page
    response = sjis_post(phone, "/map/pins/new", {"title": "掛川駅", "category": "facility",
                                                  "lat": "34.7692", "lon": "138.0146", "submit_token": "k2"})
    assert response.status_code == 302 and pin_count() == 1


def test_only_admins_add_shelters(make_member):
    member, admin = make_member(), make_member(role="admin")
    data = services.PinInput(title="避難所", category="shelter", lat=CITY_HALL[0], lon=CITY_HALL[1])
    with pytest.raises(Invalid):
        services.create_pin(member, data)
    assert services.create_pin(admin, data).category == "shelter"


def test_the_category_filter_keeps_to_the_chosen_kinds(make_member, make_pin, browser):
    author = make_member()
    make_pin(author, "病院", category="facility")
    make_pin(author, "崖", category="hazard")
    make_pin(author, "工事", category="road_works")
    client = browser(author)
    both = client.get("/api/pins.geojson?category=hazard,road_works").get_json()
    assert sorted(f["properties"]["title"] for f in both["features"]) == sorted(["工事", "崖"])
    one = client.get("/api/pins.geojson?category=facility").get_json()
    assert [f["properties"]["category"] for f in one["features"]] == ["facility"]
    frame = client.get("/map/frame?category=hazard").get_data(as_text=True)
    assert '"hazard"' in frame and '"facility": marker_cluster' not in frame


def test_a_pin_whose_period_has_ended_leaves_the_default_view(make_member, make_pin, browser, keitai):
    author = make_member()
    make_pin(author, "終わった工事", category="road_works", starts_at=PAST, ends_at=PAST)
    make_pin(author, "続く工事", category="road_works", starts_at=PAST, ends_at=FUTURE)
    client = browser(author)
    shown = [f["properties"]["title"] for f in client.get("/api/pins.geojson").get_json()["features"]]
    assert shown == ["続く工事"]
    everything = client.get("/api/pins.geojson?period=all").get_json()["features"]
    assert len(everything) == 2


def test_a_pin_at_city_hall_comes_back_longitude_first(make_member, make_pin, browser):
    author = make_member()
    make_pin(author, "掛川市役所", category="facility", starts_at=PAST, ends_at=FUTURE)
    response = browser(author).get("/api/pins.geojson?bbox=137.9,34.7,138.1,34.8")
    assert response.mimetype == "application/geo+json"
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection" and data["numberReturned"] == 1
    (feature,) = data["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [137.998168, 34.768767]}
    props = feature["properties"]
    assert props["title"] == "掛川市役所" and props["category"] == "facility" and props["category_label"] == "施設"
    assert props["url"] == f"/map/pins/{feature['id']}"
    assert props["starts_at"] == "2020-01-01T00:00Z" and props["hidden"] is False


def test_geojson_keeps_to_the_bounding_box_and_pages_by_id(make_member, make_pin, browser):
    author = make_member()
    for i in range(5):
        make_pin(author, f"ピン{i}", lat=34.76 + i * 0.001, lon=138.0, commit=False)
    make_pin(author, "南のピン", lat=34.70, lon=138.0)
    client = browser(author)
    seen, url = [], "/api/pins.geojson?bbox=137.99,34.755,138.01,34.78&per_page=2"
    while url:
        data = client.get(url).get_json()
        seen += [f["properties"]["title"] for f in data["features"]]
        url = next((link["href"] for link in data["links"] if link["rel"] == "next"), None)
    assert seen == [f"ピン{i}" for i in range(5)]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "138,34,137,35", "nan,34,138,35", "1e999,1,2,3"])
def test_a_malformed_bounding_box_is_a_clear_400(make_member, browser, bbox):
    response = browser(make_member()).get(f"/api/pins.geojson?bbox={bbox}")
    assert response.status_code == 400 and "bbox" in response.get_json()["error"]


def test_shelter_counts_and_pages_for_the_disaster_screen(make_member, make_pin):
    admin = make_member(role="admin")
    make_pin(admin, "城北小", category="shelter", shelter_status="open")
    make_pin(admin, "第一小", category="shelter", shelter_status="open")
    full = make_pin(admin, "中央公民館", category="shelter", shelter_status="full")
    make_pin(admin, "閉じた所", category="shelter", shelter_status="closed")
    make_pin(admin, "隠れた避難所", category="shelter", shelter_status="open", hidden_at=PAST)
    make_pin(admin, "病院", category="facility")
    assert services.shelter_counts() == {"open": 2, "full": 1, "closed": 1}
    page = services.shelters_page(1, 3)
    assert [p.title for p in page.items] == ["城北小", "第一小", "中央公民館"] and page.has_next
    services.set_shelter_status(admin, full, "open")
    assert services.shelter_counts()["open"] == 3
    with pytest.raises(Forbidden):
        services.set_shelter_status(make_member(), full, "closed")


def test_an_admin_sets_a_shelter_status_from_the_pin_page(make_member, make_pin, browser):
    admin = make_member(role="admin")
    shelter = make_pin(admin, "城北小", category="shelter")
    client = browser(admin)
    assert "/shelter-status" in client.get(f"/map/pins/{shelter.id}").get_data(as_text=True)
    client.post(f"/map/pins/{shelter.id}/shelter-status", data={"status": "full"})
    db.session.expire_all()
    assert db.session.get(Pin, shelter.id).shelter_status == "full"


def test_the_author_edits_a_pin_and_the_place_is_checked_again(make_member, make_pin, browser):
    author = make_member()
    pin = make_pin(author, "古い名前")
    client = browser(author)
    form = client.get(f"/map/pins/{pin.id}/edit").get_data(as_text=True)
    assert 'value="34.768767"' in form and 'value="137.998168"' in form
    moved = client.post(f"/map/pins/{pin.id}/edit", data={"title": "新しい名前", "category": "facility",
                                                          "lat": str(OUTSIDE[0]), "lon": str(OUTSIDE[1])})
    assert moved.status_code == 400 and 'value="新しい名前"' in moved.get_data(as_text=True)
    client.post(f"/map/pins/{pin.id}/edit", data={"title": "新しい名前", "category": "facility",
                                                 "lat": "34.7692", "lon": "138.0146"})
    db.session.expire_all()
    assert db.session.get(Pin, pin.id).title == "新しい名前"
