"""Every disaster page answers on a PC and on a keitai (inside its page budget, accesskeys unique),
for a member and for an admin, while an event is on; and says 404 when none is."""
import pytest

from ejan.disaster import checkins, events, reports
from ejan.geo.boundary import CITY_HALL

from helpers_disaster import start
from support import PC_UA, html_of, keitai_login

MEMBER_PAGES = ("/disaster/", "/disaster/reports", "/disaster/reports/new", "/disaster/reports/{report}",
                "/disaster/checkin", "/disaster/search?q=佐藤", "/disaster/shelters")
ADMIN_PAGES = ("/disaster/admin", "/disaster/admin/start", "/disaster/admin/notice", "/disaster/admin/triage",
               "/disaster/admin/safety", "/disaster/admin/events/{event}")


@pytest.fixture
def world(make_member, befriend):
    admin = make_member("防災課", role="admin")
    member = make_member("佐藤", district="大東")
    befriend(admin, member)
    event = start(admin, drill=True)
    report = reports.create_report(member, event, category="road", body="通行止め" * 50, lat=CITY_HALL[0],
                                   lon=CITY_HALL[1])
    checkins.check_in(member, event, status="rescue", comment="助けて", person="佐藤ハナ")
    return admin, member, event, report


@pytest.mark.parametrize("device", ["pc", "docomo_nocookie", "au", "softbank3g"])
@pytest.mark.parametrize("who", ["member", "admin"])
def test_every_page_answers_on_every_device(app, world, keitai, login, device, who):
    admin, member, event, report = world
    person = admin if who == "admin" else member
    if device == "pc":
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = PC_UA
        login(client, person)
        prefix = ""
    else:
        client = keitai(device)
        landing = keitai_login(client, person)
        prefix = landing  # carries the session of a cookieless phone
    paths = MEMBER_PAGES + (ADMIN_PAGES if who == "admin" else ())
    for path in paths:
        path = path.format(report=report.id, event=event.id)
        if device == "docomo_nocookie":
            token = prefix.split("ejs=")[1].split("&")[0]
            path += ("&" if "?" in path else "?") + f"ejs={token}"
        response = client.get(path)
        assert response.status_code == 200, (device, path, response.status_code)
        assert "訓練" in html_of(response), path
    if who == "member" and device != "docomo_nocookie":
        for path in ADMIN_PAGES[:2]:
            assert client.get(path).status_code == 403


def test_without_an_event_the_pages_say_so(app, make_member, browser):
    member = make_member("佐藤")
    client = browser(member)
    assert "災害情報の配信はありません" in html_of(client.get("/disaster/"))
    for path in ("/disaster/reports", "/disaster/checkin", "/disaster/reports/new", "/disaster/search"):
        assert client.get(path).status_code == 404, path


HOSTILE = ("", "0", "-1", "1e309", "nan", "inf", "99999999999999999999", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
           "'; DROP TABLE members; --", "<script>", "掛" * 5000, "%ff%fe", "1,2", "[]")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_never_make_a_server_error(world, browser, value):
    admin, member, event, report = world
    for client in (browser(member), browser(admin), browser()):
        for path in ("/disaster/reports", "/disaster/search", "/disaster/shelters", "/disaster/admin/safety",
                     "/disaster/admin"):
            response = client.get(path, query_string={"category": value, "district": value, "hours": value,
                                                      "q": value, "page": value, "after": value})
            assert response.status_code < 500, path
        for path, fields in (("/disaster/reports/new", ("category", "body", "lat", "lon", "district", "address")),
                             ("/disaster/checkin", ("status", "comment", "visibility", "person", "shelter_id")),
                             ("/disaster/admin/start", ("title", "kind", "districts", "title_ja", "body_ja")),
                             ("/disaster/admin/notice", ("title_ja", "body_ja", "title_pt")),
                             (f"/disaster/admin/reports/{report.id}/status", ("status",))):
            response = client.post(path, data={name: value for name in fields})
            assert response.status_code < 500, (path, value)
