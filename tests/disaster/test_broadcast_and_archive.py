"""Official notices reach every member in their own language, drills marked; the switch pages; the archive."""
import pytest
from sqlalchemy import select

from ejan.disaster import checkins, events, reports
from ejan.disaster.models import DamageReport, DisasterEvent
from ejan.extensions import db
from ejan.notify.models import Notification

from helpers_disaster import FOUR_LANGUAGES, NOTICE, start
from support import html_of


def _members_in_each_language(make_member):
    people = {}
    for code in ("ja", "ja@easy", "pt", "en"):
        member = make_member(f"住民{code}")
        member.language = code
        people[code] = member
    keitai = make_member("携帯の人")
    keitai.email = "tanaka@docomo.ne.jp"
    db.session.commit()
    return people, keitai


def test_a_broadcast_in_four_languages_gives_each_member_their_own(app, make_member, mailbox):
    admin = make_member("防災課", role="admin")
    people, keitai = _members_in_each_language(make_member)
    start(admin, texts=FOUR_LANGUAGES)
    for code, member in people.items():
        [mail] = mailbox.to(member.email)
        text = mailbox.text_of(mail)
        assert FOUR_LANGUAGES[code]["body"] in text, code
        assert FOUR_LANGUAGES[code]["title"] in mail["Subject"]
        assert "訓練" not in text
    [mail] = mailbox.to(keitai.email)
    assert not mail.is_multipart()  # keitai mail boxes get plain text
    assert db.session.scalar(select(db.func.count()).select_from(Notification).where(
        Notification.kind == "disaster_broadcast")) == 6  # everyone, the admin included


def test_a_language_without_a_version_falls_back_to_japanese(app, make_member, mailbox):
    admin = make_member("防災課", role="admin")
    people, _ = _members_in_each_language(make_member)
    start(admin, texts=NOTICE)
    assert NOTICE["ja"]["body"] in mailbox.text_of(mailbox.to(people["pt"].email)[0])


def test_every_mail_and_notification_of_a_drill_says_so(app, make_member, mailbox, browser):
    admin = make_member("防災課", role="admin")
    people, keitai = _members_in_each_language(make_member)
    event = start(admin, drill=True)
    events.post_notice(event, NOTICE, by=admin)
    for member in (*people.values(), keitai):
        for mail in mailbox.to(member.email):
            assert "【訓練】" in mail["Subject"] and "訓練" in mailbox.text_of(mail)
    subjects = db.session.scalars(select(Notification.subject)).all()
    assert subjects and all(s.startswith("【訓練】") for s in subjects)


def test_the_switch_pages_start_and_end_an_event_for_admins_only(app, make_member, browser):
    admin, member = make_member("防災課", role="admin"), make_member("住民")
    for path in ("/disaster/admin", "/disaster/admin/start"):
        assert browser(member).get(path).status_code == 403
    assert browser(member).post("/disaster/admin/start", data={"title": "x"}).status_code == 403
    client = browser(admin)
    form = {"title": "大雨", "kind": "flood", "districts": ["大東", "大須賀"], "title_ja": "避難指示",
            "body_ja": "大東地区に避難指示", "title_pt": "Ordem de evacuação", "body_pt": "Daito: evacuar",
            "submit_token": "tok"}
    bad = client.post("/disaster/admin/start", data={**form, "title": "", "body_ja": ""})
    assert bad.status_code == 200 and "タイトルを入力してください" in html_of(bad)
    assert "Ordem de evacuação" in html_of(bad)
    assert client.post("/disaster/admin/start", data=form).status_code == 302
    event = events.active_event()
    assert event.districts == ["大東", "大須賀"] and not event.drill
    assert browser(member).post("/disaster/admin/end").status_code == 403
    assert events.active_event() is not None
    assert client.post("/disaster/admin/end").status_code == 302
    assert events.active_event() is None


def test_after_the_end_the_event_is_an_archive_with_a_summary_and_csv(app, make_member, browser):
    admin, member = make_member("防災課", role="admin"), make_member("住民", district="大東")
    event = start(admin)
    report = reports.create_report(member, event, category="flooding", body="=HYPERLINK(\"x\") 冠水", district="大東")
    reports.triage(admin, report.id, "verified")
    checkins.check_in(member, event, status="safe")
    events.end_event(admin, event)
    client = browser(admin)
    page = html_of(client.get(f"/disaster/admin/events/{event.id}"))
    assert "大雨による浸水" in page and "浸水・冠水 1" in page and "無事 1" in page and "終了" in page
    csv = client.get(f"/disaster/admin/events/{event.id}/reports.csv")
    text = csv.data.decode("utf-8-sig")
    assert csv.mimetype == "text/csv" and "'=HYPERLINK" in text and "flooding" in text
    assert browser(member).get(f"/disaster/admin/events/{event.id}").status_code == 403
    assert browser(member).get(f"/disaster/admin/events/{event.id}/reports.csv").status_code == 403


def test_a_drill_is_removable_with_everything_in_it_and_a_real_event_is_not(app, make_member, browser):
    admin, member = make_member("防災課", role="admin"), make_member("住民", district="大東")
    drill = start(admin, drill=True)
    drill_id = drill.id
    reports.create_report(member, drill, category="fire", body="訓練の火災", district="大東")
    checkins.check_in(member, drill, status="safe")
    client = browser(admin)
    client.post(f"/disaster/admin/events/{drill.id}/delete")
    assert db.session.get(DisasterEvent, drill.id) is not None  # still active: not removable
    events.end_event(admin, drill)
    client.post(f"/disaster/admin/events/{drill.id}/delete")
    db.session.expire_all()
    assert db.session.get(DisasterEvent, drill_id) is None
    assert db.session.query(DamageReport).count() == 0
    real = start(admin)
    events.end_event(admin, real)
    client.post(f"/disaster/admin/events/{real.id}/delete")
    assert db.session.get(DisasterEvent, real.id) is not None


def test_the_admin_posts_a_notice_from_the_form(app, make_member, browser, mailbox):
    admin = make_member("防災課", role="admin")
    start(admin)
    client = browser(admin)
    data = {"title_ja": "給水のお知らせ", "body_ja": "市役所で給水しています", "title_en": "Water",
            "body_en": "", "submit_token": "n1"}
    bad = client.post("/disaster/admin/notice", data=data)
    assert bad.status_code == 200 and "両方" in html_of(bad)
    data["body_en"] = "Water at the city hall"
    assert client.post("/disaster/admin/notice", data=data).status_code == 302
    assert client.post("/disaster/admin/notice", data=data).status_code == 302  # double submit
    assert "給水のお知らせ" in html_of(client.get("/"))
