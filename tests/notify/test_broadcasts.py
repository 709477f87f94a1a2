"""Broadcasts in-process (eager Celery): each member in their language, drills marked 訓練, a batch run
twice sends nothing twice, a refusing server is retried, hard bounces stop mail and are shown, the
admin's progress page and retry, the heartbeat banner."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from ejan.clock import utcnow
from ejan.extensions import db
from ejan.notify import delivery, heartbeat, tasks
from ejan.notify.api import Audience, notify
from ejan.notify.models import Broadcast, Delivery, MailBounce, Notification, WorkerHeartbeat
from support import PC_UA

TEXTS = {"ja": {"title": "避難所を開設しました", "body": "大東公民館を避難所として開設しました。"},
         "pt": {"title": "Abrimos um abrigo", "body": "O centro comunitário de Daito está aberto."},
         "en": {"title": "A shelter is open", "body": "Daito community centre is open as a shelter."}}


def _speaking(make_member, language, **kw):
    member = make_member(**kw)
    member.language = language
    db.session.commit()
    return member


def test_each_member_reads_the_broadcast_in_their_language_else_japanese(make_member, mailbox):
    ja, pt, en, easy = (_speaking(make_member, code) for code in ("ja", "pt", "en", "ja@easy"))
    notify(Audience(everyone=True), "official_notice", {"subject": "避難所", "link": "/", "texts": TEXTS})
    assert mailbox.to(ja.email)[0]["Subject"] == "避難所を開設しました"
    assert mailbox.to(pt.email)[0]["Subject"] == "Abrimos um abrigo"
    assert "O centro comunitário de Daito" in mailbox.text_of(mailbox.to(pt.email)[0])
    assert mailbox.to(en.email)[0]["Subject"] == "A shelter is open"
    assert mailbox.to(easy.email)[0]["Subject"] == "避難所を開設しました"  # no やさしい日本語 text: Japanese


def test_a_drill_is_marked_in_subject_and_body(make_member, mailbox):
    sato = make_member("佐藤")
    notify([sato.id], "disaster_broadcast", {"subject": "地震", "link": "/", "texts": TEXTS, "drill": True})
    [mail] = mailbox.to(sato.email)
    assert mail["Subject"].startswith("【訓練】")
    assert "訓練" in mailbox.text_of(mail) and "訓練" in mail.get_body(("html",)).get_content()


def test_a_pc_mail_is_html_and_text_with_a_fixed_message_id(make_member, mailbox):
    sato = make_member("佐藤")
    notify([sato.id], "official_notice", {"subject": "x", "link": "/notices/1", "texts": TEXTS})
    [mail] = mailbox.to(sato.email)
    assert mail.get_content_type() == "multipart/alternative"
    row = db.session.scalars(select(Delivery).where(Delivery.channel == "pc")).one()
    assert mail["Message-ID"] == delivery.message_id(row.id, row.broadcast_id)
    assert "佐藤 さん" in mailbox.text_of(mail)
    assert 'href="http://ejan.test/notices/1"' in mail.get_body(("html",)).get_content()


def test_an_audience_broadcast_goes_in_batches_by_id_range_and_running_a_batch_again_sends_nothing(
        app, make_member, mailbox):
    members = [make_member() for _ in range(7)]
    app.config["EJAN_NOTIFY_BATCH"] = 3
    try:
        notify(Audience(everyone=True), "official_notice", {"subject": "x", "texts": TEXTS})
        broadcast = db.session.scalars(select(Broadcast)).one()
        ranges = list(delivery.batch_ranges(broadcast))
        assert broadcast.batches == 3 and len(ranges) == 3
        assert len(mailbox) == 7
        for lo, hi in ranges:  # a redelivered batch (acks_late, a worker lost): nothing new
            tasks.deliver_batch.apply(args=(broadcast.id, lo, hi))
        assert len(mailbox) == 7
        assert db.session.scalar(select(func.count(Notification.id))) == 7
    finally:
        app.config["EJAN_NOTIFY_BATCH"] = 500
    assert {m.email for m in members} == {m.envelope_to[0] for m in mailbox}


class Refusing:
    """A mail server that answers with `code` to the first `times` mails, then accepts."""

    def __init__(self, code: str, times: int, only: str | None = None):
        self.code, self.times, self.only, self.accepted = code, times, only, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.only and address == self.only:
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.only and self.times > 0:
            self.times -= 1
            return self.code
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def server(app):
    controllers = []

    def start(handler):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        app.config["EJAN_SMTP_PORT"] = port
        return handler

    saved = app.config["EJAN_SMTP_PORT"], app.config["EJAN_MAIL_RETRY_BASE_SECONDS"]
    app.config["EJAN_MAIL_RETRY_BASE_SECONDS"] = 0
    yield start
    app.config["EJAN_SMTP_PORT"], app.config["EJAN_MAIL_RETRY_BASE_SECONDS"] = saved
    for controller in controllers:
        controller.stop()


def test_a_server_refusing_for_a_while_is_retried_until_each_member_has_one_mail(make_member, server):
    members = [make_member() for _ in range(5)]
    refusing = server(Refusing("451 4.3.0 try later", times=3))
    notify(Audience(everyone=True), "official_notice", {"subject": "x", "texts": TEXTS})
    assert sorted(refusing.accepted) == sorted(m.email for m in members)


def test_retries_that_run_out_leave_failed_deliveries_with_the_reason(app, make_member, server):
    make_member()
    server(Refusing("451 4.3.0 try later", times=10_000))
    app.config["EJAN_MAIL_RETRIES"] = 2
    try:
        notify(Audience(everyone=True), "official_notice", {"subject": "x", "texts": TEXTS})
    finally:
        app.config["EJAN_MAIL_RETRIES"] = 10
    row = db.session.scalars(select(Delivery).where(Delivery.channel == "pc")).one()
    assert row.status == "failed" and "451" in row.error and "gave up" in row.error


def test_hard_bounces_stop_mail_to_an_address_and_the_member_sees_why(app, make_member, server, browser):
    sato = make_member("佐藤")
    server(Refusing("550 5.1.1 No such user", times=0, only=sato.email))
    for _ in range(app.config["EJAN_BOUNCE_LIMIT"]):
        notify([sato.id], "official_notice", {"subject": "x", "texts": TEXTS})
    bounce = db.session.get(MailBounce, sato.email)
    assert bounce.count == 3 and bounce.stopped_at is not None and "550" in bounce.last_reason
    notify([sato.id], "official_notice", {"subject": "x", "texts": TEXTS})
    last = db.session.scalars(select(Delivery).where(Delivery.channel == "pc").order_by(Delivery.id.desc())).first()
    assert last.status == "skipped"  # not even tried
    page = browser(sato).get("/notifications/settings").get_data(as_text=True)
    assert "何度も届かなかった" in page and "550 5.1.1 No such user" in page
    browser(sato).post("/notifications/settings/pc/resume")
    db.session.expire_all()
    assert db.session.get(MailBounce, sato.email).stopped_at is None


def test_admin_sees_progress_failures_and_bounces_and_can_retry(app, make_member, server, browser):
    admin = make_member("市役所", role="admin")
    sato = make_member("佐藤")
    server(Refusing("550 5.1.1 No such user", times=0, only=sato.email))
    notify(Audience(everyone=True), "official_notice", {"subject": "断水", "texts": TEXTS})
    broadcast = db.session.scalars(select(Broadcast)).one()
    assert delivery.progress(broadcast.id)["failed"] == 1 and delivery.progress(broadcast.id)["sent"] == 1
    web = browser(admin)
    listing = web.get("/notifications/admin/broadcasts").get_data(as_text=True)
    assert "断水" in listing and "失敗 1" in listing
    page = web.get(f"/notifications/admin/broadcasts/{broadcast.id}").get_data(as_text=True)
    assert sato.email in page and "550 5.1.1 No such user" in page
    assert sato.email in web.get("/notifications/admin/bounces").get_data(as_text=True)
    assert web.post(f"/notifications/admin/broadcasts/{broadcast.id}/retry").status_code == 302
    assert delivery.progress(broadcast.id)["failed"] == 1  # still refused, tried again


@pytest.mark.parametrize("path", ["/notifications/admin/broadcasts", "/notifications/admin/bounces"])
def test_admin_pages_are_for_admins_only(make_member, browser, client, path):
    assert browser(make_member("佐藤")).get(path).status_code == 403
    assert client.get(path).status_code == 302  # to the login page
    assert browser(make_member("市役所", role="admin")).get(path).status_code == 200


def test_last_beat_is_the_newest_heartbeat(app, monkeypatch):
    # The clock is fixed, so the test says which beat is newest without reading the wall clock.
    beat_at, later = datetime(2026, 11, 3, 9, 0, 0), datetime(2026, 11, 3, 9, 1, 0)
    assert heartbeat.last_beat() is None
    monkeypatch.setattr(heartbeat, "utcnow", lambda: beat_at)
    tasks.beat.apply()
    assert heartbeat.last_beat() == beat_at
    monkeypatch.setattr(heartbeat, "utcnow", lambda: later)
    heartbeat.record("other@host")
    assert db.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 2
    assert heartbeat.last_beat() == later


def test_admins_see_a_banner_when_workers_stop_beating(app, make_member, browser):
    admin, member = make_member("市役所", role="admin"), make_member("佐藤")
    app.config["CELERY"]["task_always_eager"] = False  # as in production: workers are separate processes
    try:
        assert "Celeryワーカー" in browser(admin).get("/").get_data(as_text=True)  # never beat
        assert "Celeryワーカー" not in browser(member).get("/").get_data(as_text=True)
        heartbeat.record("w1@host")
        assert "Celeryワーカー" not in browser(admin).get("/").get_data(as_text=True)
        db.session.query(WorkerHeartbeat).update({"beat_at": utcnow() - timedelta(minutes=10)})
        db.session.commit()
        assert "Celeryワーカー" in browser(admin).get("/").get_data(as_text=True)
    finally:
        app.config["CELERY"]["task_always_eager"] = True


def test_disaster_broadcasts_travel_on_their_own_queue(app):
    from ejan.notify.kinds import spec_for

    assert spec_for("disaster_broadcast").urgent and not spec_for("official_notice").urgent
    b = delivery.create_broadcast("disaster_broadcast", {}, member_ids=[1])
    assert b.queue == app.config["EJAN_DISASTER_QUEUE"] == "disaster"
    assert delivery.create_broadcast("friend_accepted", {}, member_ids=[1]).queue is None


def test_a_friend_request_on_a_keitai_still_gets_its_notice_at_once(make_member, keitai, app):
    from ejan.friends import services as friends

    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(sato, suzuki.id, "")
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.member_id == suzuki.id)) == 1
    assert PC_UA  # the web request and the notice are one step: no worker needed for a handful
