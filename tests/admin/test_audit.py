"""Every admin action leaves one audit row (who, what, target, when, detail), and no row can be changed."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ejan.admin import announcements, audit
from ejan.admin import members as admin_members
from ejan.admin.models import AuditEntry
from ejan.disaster import archive, events, reports as damage
from ejan.extensions import db
from ejan.maps import services as maps
from ejan.maps.models import Pin
from ejan.notify import admin as notify_admin
from ejan.geo.boundary import CITY_HALL

NOTICE = {"ja": {"title": "避難所を開設しました", "body": "大東地区の避難所を開設しました。"}}


def actions():
    return [(e.action, e.target_kind, e.target_id, e.actor_name)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.fixture
def admin(make_member):
    return make_member("市役所", role="admin")


def test_the_audit_log_refuses_update_and_delete_in_the_database(app, admin):
    audit.record(admin, "test.act", "member", admin.id, "最初の記録")
    db.session.commit()
    for statement in ("UPDATE admin_audit SET detail = '書き換え'", "DELETE FROM admin_audit"):
        with pytest.raises(DBAPIError):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    db.session.expire_all()
    assert [e.detail for e in db.session.scalars(select(AuditEntry))] == ["最初の記録"]


def test_the_audit_module_offers_no_way_to_change_a_row():
    public = [name for name in dir(audit) if not name.startswith("_")]
    assert not [name for name in public if any(word in name for word in ("update", "delete", "edit", "remove"))]


def test_disaster_start_notice_confirm_triage_end_and_drill_removal_are_audited(app, admin, make_member):
    event = events.start_event("大雨による浸水", "flood", ["大東"], NOTICE, by=admin)
    events.post_notice(event, {"ja": {"title": "給水所", "body": "大東支所で給水します。"}}, by=admin)
    auto = event
    events.confirm_event(admin, auto)
    report = damage.create_report(make_member("佐藤"), event, category="flooding", body="冠水", district="大東")
    damage.triage(admin, report.id, "verified")
    events.end_event(admin, event)
    drill = events.start_event("訓練", "flood", ["大東"], NOTICE, by=admin, drill=True)
    events.end_event(admin, drill)
    archive.remove_drill(admin, drill.id)
    got = [a[0] for a in actions()]
    assert got == ["disaster.start", "disaster.notice", "disaster.notice", "disaster.confirm", "disaster.triage",
                   "disaster.end", "disaster.start", "disaster.notice", "disaster.end", "disaster.remove_drill"]
    assert actions()[4][1:3] == ("damage_report", report.id)
    assert {a[3] for a in actions()} == {"市役所"}


def test_a_telegrams_doing_is_not_an_admins(app):
    events.start_event("震度6弱", "earthquake", [], NOTICE, automatic=True, source_ref="20261201024000")
    assert actions() == []


def test_shelter_status_and_hiding_pins_are_audited(app, admin, make_member):
    author = make_member("佐藤")
    shelter = Pin(author_id=admin.id, title="大東体育館", category="shelter", description="", lat=CITY_HALL[0],
                  lon=CITY_HALL[1])
    pin = Pin(author_id=author.id, title="穴のあいた道", category="other", description="", lat=CITY_HALL[0],
              lon=CITY_HALL[1])
    db.session.add_all([shelter, pin])
    db.session.commit()
    maps.set_shelter_status(admin, shelter, "open")
    maps.set_hidden(admin, pin.id, True)
    maps.set_hidden(admin, pin.id, True)  # a second tap changes nothing and logs nothing
    maps.set_hidden(admin, pin.id, False)
    assert [a[:3] for a in actions()] == [("maps.shelter_status", "pin", shelter.id), ("maps.hide", "pin", pin.id),
                                          ("maps.unhide", "pin", pin.id)]


def test_broadcast_retry_and_announcements_are_audited(app, admin):
    from datetime import date

    found = announcements.create(admin, title="年末年始の窓口", body="12月29日から休みます。", starts_on=date(2026, 12, 1),
                                 ends_on=date(2026, 12, 31), broadcast=True)
    announcements.end_now(admin, found.id)
    from ejan.notify.models import Broadcast

    broadcast = db.session.scalar(select(Broadcast).where(Broadcast.kind == "official_notice"))
    notify_admin.retry_failed(admin, broadcast.id)
    assert [a[:3] for a in actions()] == [("announcements.create", "announcement", found.id),
                                          ("announcements.end", "announcement", found.id),
                                          ("notify.retry", "broadcast", broadcast.id)]


def test_member_suspension_reinstatement_and_roles_are_audited_with_the_reason(app, admin, make_member):
    sato = make_member("佐藤")
    admin_members.suspend(admin, sato.id, "宣伝の書き込みを繰り返したため")
    admin_members.suspend(admin, sato.id, "二度目")  # already suspended: nothing happens, nothing logged
    admin_members.reinstate(admin, sato.id, "本人から連絡があったため")
    admin_members.set_role(admin, sato.id, "admin")
    admin_members.set_role(admin, sato.id, "member")
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.detail) for e in entries] == [
        ("members.suspend", "宣伝の書き込みを繰り返したため"), ("members.reinstate", "本人から連絡があったため"),
        ("members.role", "admin"), ("members.role", "member")]
    assert all(e.actor_id == admin.id and e.target_id == sato.id and e.created_at for e in entries)


def test_admins_read_the_log_paged_and_filtered(app, admin, browser, make_member):
    sato = make_member("佐藤")
    for n in range(25):
        audit.record(admin, "test.act", "member", sato.id if n % 2 else admin.id, f"記録{n}")
    audit.record(admin, "disaster.start", "disaster_event", 9, "大雨")
    db.session.commit()
    page = audit.entries(admin, action="disaster", page=1, per_page=20)
    assert [e.detail for e in page.items] == ["大雨"]
    page = audit.entries(admin, target_kind="member", target_id=sato.id, page=1, per_page=5)
    assert len(page.items) == 5 and page.has_next
    client = browser(admin)
    html = client.get("/admin/audit?action=disaster").get_data(as_text=True)
    assert "大雨" in html and "記録1" not in html
    assert "記録24" in client.get("/admin/audit").get_data(as_text=True)
    assert "記録0" in client.get("/admin/audit?page=2").get_data(as_text=True)
