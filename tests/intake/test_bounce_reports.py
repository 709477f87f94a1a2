"""Bounce reports mailed back by the city's relay (RFC 3464) count as hard bounces, through the real receiver."""
from __future__ import annotations

import smtplib
import socket

import pytest
from sqlalchemy import select

from ejan.extensions import db
from ejan.intake.receiver import controller
from ejan.notify import bounces
from ejan.notify.models import MailBounce

BOUNCE_ADDRESS = "bounces@e-jan.kakegawa.example"


def report(recipient: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification as Postfix writes one (the parts of RFC 3464 it always has)."""
    return (
        "From: MAILER-DAEMON@relay.city.example (Mail Delivery System)\r\n"
        f"To: {BOUNCE_ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; relay.city.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: x\r\n\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_BOUNCE_ADDRESS", BOUNCE_ADDRESS)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = controller(app, "127.0.0.1", port, lmtp=True)
    server.start()
    yield port
    server.stop()


def bounce_of(address: str) -> MailBounce | None:
    db.session.expire_all()
    return db.session.scalar(select(MailBounce).where(MailBounce.address == address))


def test_a_mailed_hard_bounce_counts_and_enough_of_them_stop_the_address(app, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_BOUNCE_LIMIT", 2)
    for n in (1, 2):
        with smtplib.LMTP("127.0.0.1", receiver) as client:
            client.sendmail("", [BOUNCE_ADDRESS], report("taro..x.@docomo.ne.jp"))  # the null sender of bounces
        assert bounce_of("taro..x.@docomo.ne.jp").count == n
    assert bounce_of("taro..x.@docomo.ne.jp").stopped_at is not None
    assert "5.1.1" in bounce_of("taro..x.@docomo.ne.jp").last_reason


@pytest.mark.parametrize("action,status", [("delayed", "4.4.1"), ("failed", "4.2.2"), ("delivered", "2.0.0")])
def test_delays_and_soft_failures_are_not_hard_bounces(app, receiver, action, status):
    with smtplib.LMTP("127.0.0.1", receiver) as client:
        client.sendmail("", [BOUNCE_ADDRESS], report("hanako@example.jp", action, status))
    assert bounce_of("hanako@example.jp") is None


def test_mail_to_the_bounce_address_that_is_no_report_records_nothing(app, receiver):
    with smtplib.LMTP("127.0.0.1", receiver) as client:
        client.sendmail("someone@example.jp", [BOUNCE_ADDRESS],
                        b"From: someone@example.jp\r\nSubject: out of office\r\n\r\nFinal-Recipient: rfc822; a@b.jp\r\n")
    assert db.session.scalar(select(MailBounce.address)) is None


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe garbage", b"Content-Type: multipart/report\r\n\r\n--x"])
def test_a_mangled_report_reads_as_nothing(raw):
    assert bounces.failed_recipients(raw) == []


def test_outgoing_mail_carries_the_bounce_address_as_its_envelope_sender(app, mailbox):
    from ejan.mail import build_message, deliver

    app.config["EJAN_BOUNCE_ADDRESS"] = BOUNCE_ADDRESS
    try:
        deliver(build_message("hanako@example.jp", "password_reset", {"nickname": "花子", "url": "http://x/"}))
    finally:
        app.config["EJAN_BOUNCE_ADDRESS"] = ""
    assert mailbox[-1].envelope_from == BOUNCE_ADDRESS
