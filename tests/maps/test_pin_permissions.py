"""Who may see, edit, delete and hide a pin: the matrix (author, other member, the linked community's
moderator, admin, logged out), the rule and its SQL twin agreeing, and 通報 of a pin."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ejan.clock import utcnow
from ejan.extensions import db
from ejan.maps import services
from ejan.maps.models import Pin
from ejan.members import blocking

ROLES = ("author", "member", "moderator", "admin", "guest")


@pytest.fixture
def cast(make_member, make_community, make_pin):
    author, member, moderator, admin = (make_member("佐藤"), make_member("鈴木"), make_member("山田"),
                                        make_member("市役所", role="admin"))
    community = make_community(make_member("オーナー"), moderators=[moderator], members=[author])
    pin = make_pin(author, "茶畑の見学会場", category="event_venue", community_id=community.id)
    return {"author": author, "member": member, "moderator": moderator, "admin": admin, "guest": None,
            "pin": pin, "community": community}


def client_for(cast, role, browser):
    return browser(cast[role]) if cast[role] is not None else browser()


# (role) -> (sees the page, may edit, may hide)
EXPECTED = {
    "author": (200, True, False),
    "member": (200, False, False),
    "moderator": (200, False, True),
    "admin": (200, False, True),
    "guest": (302, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_edits_and_hides_a_pin(cast, role, browser):
    pin_id = cast["pin"].id
    client = client_for(cast, role, browser)
    sees, edits, hides = EXPECTED[role]
    page = client.get(f"/map/pins/{pin_id}")
    assert page.status_code == sees
    edit = client.get(f"/map/pins/{pin_id}/edit")
    assert (edit.status_code == 200) == edits
    if role != "guest":
        text = page.get_data(as_text=True)
        assert (f"/map/pins/{pin_id}/edit" in text) == edits
        assert (f"/map/pins/{pin_id}/hide" in text) == hides
        assert ("/tsuho/pin/" in text) == (role != "author")
    hide = client.post(f"/map/pins/{pin_id}/hide")
    db.session.expire_all()
    hidden = db.session.get(Pin, pin_id).hidden_at is not None
    assert hidden == hides
    if role != "guest":
        assert hide.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_deletes_a_pin(cast, role, browser):
    pin_id = cast["pin"].id
    client_for(cast, role, browser).post(f"/map/pins/{pin_id}/delete")
    db.session.expire_all()
    assert (db.session.get(Pin, pin_id) is None) == (role == "author")


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_pin_is_seen_by_its_author_moderators_and_admins_only(cast, role, browser):
    services.set_hidden(cast["admin"], cast["pin"].id, True)
    client = client_for(cast, role, browser)
    page = client.get(f"/map/pins/{cast['pin'].id}")
    geojson = client.get("/api/pins.geojson")
    if role == "guest":
        assert page.status_code == 302 and geojson.status_code == 401
        return
    sees = role in ("author", "moderator", "admin")
    assert page.status_code == (200 if sees else 404)
    ids = [f["id"] for f in geojson.get_json()["features"]]
    assert ids == ([cast["pin"].id] if sees else [])
    if sees:
        assert geojson.get_json()["features"][0]["properties"]["hidden"] is True


def test_a_moderator_of_another_community_cannot_hide(cast, make_member, make_community, browser):
    stranger = make_member("他所の管理人")
    make_community(stranger, name="別の会")
    browser(stranger).post(f"/map/pins/{cast['pin'].id}/hide")
    db.session.expire_all()
    assert db.session.get(Pin, cast["pin"].id).hidden_at is None


def test_an_admin_shows_a_hidden_pin_again(cast, browser):
    services.set_hidden(cast["moderator"], cast["pin"].id, True)
    browser(cast["admin"]).post(f"/map/pins/{cast['pin'].id}/unhide")
    db.session.expire_all()
    assert db.session.get(Pin, cast["pin"].id).hidden_at is None


def test_the_rule_and_its_sql_twin_agree(cast, make_member, make_pin):
    suspended_author, left_author = make_member("停止中"), make_member("退会")
    blocked = make_member("ブロック")
    pins = [cast["pin"], make_pin(cast["member"], "川の危険箇所", category="hazard"),
            make_pin(suspended_author, "古い店"), make_pin(blocked, "ブロックされた人のピン"),
            make_pin(cast["admin"], "避難所：城北小", category="shelter", shelter_status="open"),
            make_pin(cast["author"], "隠れたピン", hidden_at=utcnow()),
            # shelters stay whoever set them; a member who left is inactive like a suspended one
            make_pin(suspended_author, "避難所：旧登録", category="shelter"),
            make_pin(suspended_author, "避難所：非表示", category="shelter", hidden_at=utcnow()),
            make_pin(left_author, "退会した人のピン"), make_pin(blocked, "避難所：ブロック", category="shelter")]
    suspended_author.status, left_author.status = "suspended", "left"
    db.session.commit()
    blocking.block(cast["member"], blocked.id)
    viewers = [cast[r] for r in ROLES] + [suspended_author, blocked]
    for viewer in viewers:
        listed = set(db.session.scalars(select(Pin.id).where(services.visible_to(viewer))))
        one_by_one = {pin.id for pin in pins if services.can_see(viewer, pin)}
        assert listed == one_by_one, viewer


def test_a_member_reports_a_pin_through_tsuho(cast, browser):
    client = browser(cast["member"])
    form = client.get(f"/tsuho/pin/{cast['pin'].id}")
    assert form.status_code == 200 and "茶畑の見学会場" in form.get_data(as_text=True)
