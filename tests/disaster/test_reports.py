"""まちかどレポート: posting with a place, validation that keeps the form, photos, lists, triage, visibility."""
import io

import pytest
from PIL import ExifTags, Image

from ejan.disaster import reports
from ejan.disaster.models import DamageReport
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL

from helpers_disaster import start
from support import form_action, hidden_fields, html_of, keitai_login, links, sjis_post

TOKYO = (35.681236, 139.767125)


def jpeg(position=None, size=(400, 300)) -> bytes:
    exif = Image.Exif()
    if position:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat, lon = position
        gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLongitudeRef] = "N", "E"
        gps[ExifTags.GPS.GPSLatitude] = (int(lat), int(lat * 60) % 60, (lat * 3600) % 60)
        gps[ExifTags.GPS.GPSLongitude] = (int(lon), int(lon * 60) % 60, (lon * 3600) % 60)
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def world(make_member):
    admin = make_member("防災課", role="admin")
    member = make_member("佐藤", district="大東")
    return admin, member, start(admin)


def test_a_member_reports_from_the_pc_form_and_it_shows_as_unverified(world, browser):
    admin, member, event = world
    client = browser(member)
    page = html_of(client.get("/disaster/reports/new"))
    token = hidden_fields(page, "/disaster/reports/new")["submit_token"]
    data = {"category": "flooding", "body": "駅南のアンダーパスが冠水", "lat": str(CITY_HALL[0]),
            "lon": str(CITY_HALL[1]), "district": "", "address": "", "submit_token": token}
    response = client.post("/disaster/reports/new", data=data)
    assert response.status_code == 302
    client.post("/disaster/reports/new", data=data)  # a double submit
    assert db.session.query(DamageReport).count() == 1
    listing = html_of(client.get("/disaster/reports"))
    assert "駅南のアンダーパスが冠水" in listing and "未確認" in listing


@pytest.mark.parametrize("fields, message", [
    ({"lat": str(TOKYO[0]), "lon": str(TOKYO[1])}, "掛川市の外"),
    ({"body": ""}, "状況を入力してください"),
    ({"lat": "", "lon": "", "district": ""}, "場所を地図で選ぶか、地区を選んでください"),
    ({"lat": "nan", "lon": "x"}, "位置が読み取れません"),
])
def test_a_wrong_report_is_refused_with_the_form_kept(world, browser, fields, message):
    _, member, _ = world
    data = {"category": "road", "body": "県道が土砂でふさがっています", "lat": str(CITY_HALL[0]),
            "lon": str(CITY_HALL[1]), "district": "", "address": "倉真の橋の手前", "submit_token": "t"}
    data.update(fields)
    response = browser(member).post("/disaster/reports/new", data=data)
    page = html_of(response)
    assert response.status_code == 200 and message in page
    if data["body"]:
        assert data["body"] in page
    assert "倉真の橋の手前" in page
    assert db.session.query(DamageReport).count() == 0


def test_a_huge_photo_is_refused_with_the_text_kept(world, browser):
    _, member, _ = world
    huge = jpeg() .ljust(11 * 1024 * 1024, b"\0")
    response = browser(member).post("/disaster/reports/new", data={
        "category": "building", "body": "ブロック塀が倒れています", "district": "大東", "address": "",
        "submit_token": "t", "photo": (io.BytesIO(huge), "big.jpg")}, content_type="multipart/form-data")
    page = html_of(response)
    assert "10MB" in page and "ブロック塀が倒れています" in page
    assert db.session.query(DamageReport).count() == 0


def test_a_photo_gives_its_place_and_loses_its_exif(world, app):
    _, member, event = world
    report = reports.create_report(member, event, category="building", body="屋根瓦が落ちた",
                                   photo=jpeg(CITY_HALL))
    assert report.lat == pytest.approx(CITY_HALL[0], abs=1e-4) and report.lon == pytest.approx(CITY_HALL[1], abs=1e-4)
    from ejan import media
    path, _ = media.image_file(app.config["EJAN_MEDIA_DIR"], report.image_key, "pc")
    assert not Image.open(path).getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_a_photo_taken_outside_the_city_gives_no_place(world):
    _, member, event = world
    with pytest.raises(Invalid, match="場所"):
        reports.create_report(member, event, category="building", body="屋根瓦が落ちた", photo=jpeg(TOKYO))


def test_a_keitai_reports_with_district_and_address(world, keitai):
    _, member, _ = world
    phone = keitai()
    landing = keitai_login(phone, member)
    new = [link for link in links(html_of(phone.get(landing, follow_redirects=True)), "/disaster/reports/new")]
    page = html_of(phone.get(new[0]))
    assert "GPS" in page
    action = form_action(page, "/disaster/reports/new")
    fields = hidden_fields(page, "/disaster/reports/new")
    fields.update({"category": "water", "body": "断水しています", "district": "大須賀", "address": "横須賀の公民館"})
    response = sjis_post(phone, action, fields)
    assert response.status_code == 302
    report = db.session.query(DamageReport).one()
    assert report.district == "大須賀" and report.body == "断水しています"


def test_a_phone_gps_answer_fills_the_place(world, keitai):
    _, member, _ = world
    phone = keitai("au")
    keitai_login(phone, member)
    page = html_of(phone.get("/disaster/reports/new?lat=%2B34.46.07.56&lon=%2B137.59.53.40&datum=0&unit=0"))
    assert 'value="34.768' in page and "device:gpsone" in page


def test_the_list_filters_by_category_district_and_hours(world, browser):
    from datetime import timedelta
    admin, member, event = world
    old = reports.create_report(member, event, category="fire", body="古い火災の報告", district="大東")
    old.created_at -= timedelta(hours=3)
    db.session.commit()
    reports.create_report(member, event, category="power", body="停電しています", district="大須賀")
    client = browser(member)
    assert "古い火災の報告" not in html_of(client.get("/disaster/reports?hours=1"))
    assert "古い火災の報告" in html_of(client.get("/disaster/reports?hours=6"))
    page = html_of(client.get("/disaster/reports?category=power"))
    assert "停電しています" in page and "古い火災の報告" not in page
    page = html_of(client.get("/disaster/reports?district=大東"))
    assert "古い火災の報告" in page and "停電しています" not in page
    assert html_of(client.get("/disaster/reports?hours=99999999999&category=x&district=%ff"))


def test_triage_verifies_and_hides_and_the_screen_shows_only_verified(world, browser, pc_client):
    admin, member, event = world
    shown = reports.create_report(member, event, category="road", body="国道1号が通行止め", district="大東")
    hidden = reports.create_report(member, event, category="other", body="いたずらの報告です", district="大東")
    queue = html_of(browser(admin).get("/disaster/admin/triage"))
    assert "国道1号が通行止め" in queue and "いたずらの報告です" in queue
    admin_client = browser(admin)
    admin_client.post(f"/disaster/admin/reports/{shown.id}/status", data={"status": "verified"})
    admin_client.post(f"/disaster/admin/reports/{hidden.id}/status", data={"status": "hidden"})
    assert "国道1号が通行止め" not in html_of(admin_client.get("/disaster/admin/triage"))
    screen = html_of(pc_client.get("/"))
    assert "国道1号が通行止め" in screen and "いたずらの報告です" not in screen
    assert "いたずらの報告です" not in html_of(browser(member).get("/disaster/reports"))
    # Logged out: verified ones only, no unverified.
    reports.create_report(member, event, category="road", body="未確認の報告", district="大東")
    public = html_of(pc_client.get("/disaster/reports"))
    assert "国道1号が通行止め" in public and "未確認の報告" not in public


def test_only_admins_triage(world, browser):
    admin, member, event = world
    report = reports.create_report(member, event, category="road", body="倒木", district="大東")
    assert browser(member).post(f"/disaster/admin/reports/{report.id}/status", data={"status": "verified"}).status_code == 403
    assert browser(member).get("/disaster/admin/triage").status_code == 403
    db.session.refresh(report)
    assert report.status == "unverified"


def test_can_see_and_visible_to_agree(world, make_member):
    admin, member, event = world
    stranger = make_member("他人")
    rows = [reports.create_report(member, event, category="road", body=f"報告{n}", district="大東") for n in range(4)]
    for row, status in zip(rows, ("unverified", "verified", "resolved", "hidden")):
        reports.triage(admin, row.id, status)
    for viewer in (None, member, stranger, admin):
        listed = {r.id for r in reports.reports_of(viewer, event, per_page=50).items}
        assert listed == {r.id for r in rows if reports.can_see(viewer, r)}


def test_geojson_has_the_reports_with_a_place(world, client):
    admin, member, event = world
    report = reports.create_report(member, event, category="fire", body="火事", lat=CITY_HALL[0], lon=CITY_HALL[1])
    reports.triage(admin, report.id, "verified")
    data = client.get("/disaster/reports.geojson").get_json()
    assert data["features"][0]["geometry"]["coordinates"] == [CITY_HALL[1], CITY_HALL[0]]
