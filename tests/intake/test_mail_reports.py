"""Damage reports mailed from phones, through the real aiosmtpd receiver (SMTP and LMTP) and mail-ingest."""
from __future__ import annotations

import base64
import io
import smtplib
import socket
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from PIL import Image
from sqlalchemy import func, select

from ejan import media
from ejan.disaster import events
from ejan.disaster.models import DamageReport
from ejan.extensions import db
from ejan.intake import mailparse
from ejan.intake.receiver import controller
from ejan.members import services as members

REPORT_ADDRESS = "report@e-jan.kakegawa.example"
KAKEGAWA_STATION = (34.76861, 138.01472)  # inside the city


def jpeg_with_gps(position=KAKEGAWA_STATION, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (180, 60, 40))
    exif = Image.Exif()
    lat, lon = position
    exif[0x8825] = {1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _dms(value):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2))


def carriers_iso2022jp(text: str) -> bytes:
    """ISO-2022-JP as Windows and the carriers write it: cp932's extra characters (①) in JIS X 0208 rows."""
    out, jis = b"", False
    for ch in text:
        code = ch.encode("cp932")
        if len(code) == 1:
            out += (b"\x1b(B" if jis else b"") + code
            jis = False
            continue
        b1, b2 = code
        b1 -= 0x40 if b1 >= 0xE0 else 0
        j1 = (b1 - 0x70) * 2 - (1 if b2 < 0x9F else 0)
        j2 = (b2 - 0x1F - (1 if b2 >= 0x80 else 0)) if b2 < 0x9F else b2 - 0x7E
        out += (b"" if jis else b"\x1b$B") + bytes([j1, j2])
        jis = True
    return out + (b"\x1b(B" if jis else b"")


def iso2022jp_report(sender: str, body: str, photo: bytes | None, subject="冠水") -> bytes:
    message = MIMEMultipart()
    message["From"], message["To"] = sender, REPORT_ADDRESS
    message["Subject"] = Header(subject, "iso-2022-jp").encode()
    message["Message-ID"] = f"<{abs(hash((sender, body)))}@docomo.ne.jp>"
    text = MIMEText("", "plain")
    text.set_payload(carriers_iso2022jp(body).decode("ascii"))
    text.replace_header("Content-Type", 'text/plain; charset="ISO-2022-JP"')
    text["Content-Transfer-Encoding"] = "7bit"
    message.attach(text)
    if photo is not None:
        message.attach(MIMEImage(photo, "jpeg", name="DSC00001.JPG"))  # base64, as phones send it
    return crlf(message.as_bytes())


def crlf(raw: bytes) -> bytes:
    """Mail travels with CRLF line ends (SMTP); the email package writes LF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def shift_jis_report(sender: str, body: str, subject: str) -> bytes:
    head = (f"From: {sender}\r\nTo: {REPORT_ADDRESS}\r\nSubject: =?Shift_JIS?B?"
            f"{base64.b64encode(subject.encode('cp932')).decode()}?=\r\nMessage-ID: <sjis-1@ezweb.ne.jp>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n")
    return head.encode() + base64.encodebytes(body.encode("cp932")).replace(b"\n", b"\r\n")


@pytest.fixture
def receiver(app):
    app.config["EJAN_REPORT_MAIL_ADDRESS"] = REPORT_ADDRESS
    started = []

    def start(lmtp=False):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = controller(app, "127.0.0.1", port, lmtp=lmtp)
        server.start()
        started.append(server)
        return port

    yield start
    for server in started:
        server.stop()
    app.config["EJAN_REPORT_MAIL_ADDRESS"] = ""


@pytest.fixture
def disaster(make_member):
    admin = make_member("防災課", role="admin")
    return events.start_event("地震", "earthquake", [], {"ja": {"title": "地震", "body": "地震です"}}, by=admin)


@pytest.fixture
def keitai_member(make_member):
    member = make_member("佐藤", district="大東")
    member.keitai_email = "sato-kakegawa@docomo.ne.jp"
    db.session.commit()
    return member


def send(port, sender, raw, *, lmtp=False):
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:
        return client.sendmail(sender, [REPORT_ADDRESS], raw)


def reports():
    return list(db.session.scalars(select(DamageReport).order_by(DamageReport.id)))


@pytest.mark.parametrize("lmtp", [False, True])
def test_an_iso2022jp_report_with_a_photo_becomes_an_unverified_report(app, receiver, disaster, keitai_member,
                                                                        mailbox, lmtp):
    port = receiver(lmtp=lmtp)
    body = "駅前のアンダーパスが冠水①しています。車は通れません。"
    send(port, keitai_member.keitai_email, iso2022jp_report(keitai_member.keitai_email, body, jpeg_with_gps()),
         lmtp=lmtp)
    [report] = reports()
    assert (report.author_id, report.event_id, report.status) == (keitai_member.id, disaster.id, "unverified")
    assert report.category == "flooding" and report.body == body
    assert report.lat == pytest.approx(KAKEGAWA_STATION[0], abs=1e-3)
    assert report.lon == pytest.approx(KAKEGAWA_STATION[1], abs=1e-3)
    path, _mimetype = media.image_file(app.config["EJAN_MEDIA_DIR"], report.image_key, "pc")
    assert media.gps_position(path.read_bytes()) is None  # the position was used, then stripped
    with Image.open(path) as stored:
        assert not stored.getexif()
    assert mailbox.to(keitai_member.keitai_email) == []  # no reply when all went well


def test_a_shift_jis_report_keeps_its_circled_digits(app, receiver, disaster, keitai_member):
    port = receiver()
    body = "①県道の橋に亀裂\n②大東支所前で停電"
    send(port, keitai_member.email, shift_jis_report(keitai_member.email, body, "道路"))
    [report] = reports()
    assert report.body == body and "\ufffd" not in report.body
    assert report.category == "road" and report.status == "unverified"
    assert report.district == "大東" and report.lat is None  # no photo: the district named in the mail


def test_an_unknown_sender_is_refused_with_550_and_nothing_is_stored(app, receiver, disaster, keitai_member,
                                                                      mailbox):
    port = receiver()
    raw = iso2022jp_report("stranger@example.net", "偽の通報", jpeg_with_gps())
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(port, "stranger@example.net", raw)
    assert refused.value.recipients[REPORT_ADDRESS][0] == 550
    assert reports() == [] and mailbox.to("stranger@example.net") == []


def test_a_forged_from_under_a_members_envelope_is_refused_at_data(app, receiver, disaster, keitai_member,
                                                                    make_member):
    port = receiver()
    raw = iso2022jp_report("someone-else@example.net", "偽の通報", None)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(port, keitai_member.keitai_email, raw)
    assert refused.value.smtp_code == 550 and reports() == []


def test_a_suspended_member_is_as_unknown_as_a_stranger(app, receiver, disaster, make_member):
    suspended = make_member("停止中", suspended=True)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver(), suspended.email, iso2022jp_report(suspended.email, "テスト", None))


def test_another_recipient_is_no_mailbox(app, receiver, keitai_member):
    with smtplib.SMTP("127.0.0.1", receiver()) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail(keitai_member.email, ["postmaster@e-jan.kakegawa.example"], b"Subject: x\r\n\r\nx")


def test_without_disaster_mode_the_member_gets_a_reply_saying_why(app, receiver, keitai_member, mailbox):
    send(receiver(), keitai_member.keitai_email,
         iso2022jp_report(keitai_member.keitai_email, "冠水しています", jpeg_with_gps()))
    assert reports() == []
    [reply] = mailbox.to(keitai_member.keitai_email)
    assert "災害モードではない" in mailbox.text_of(reply)


def test_an_oversized_photo_gets_a_reply_and_no_report(app, receiver, disaster, keitai_member, mailbox):
    app.config["EJAN_REPORT_MAIL_PHOTO_BYTES"], saved = 2000, app.config["EJAN_REPORT_MAIL_PHOTO_BYTES"]
    try:
        big = jpeg_with_gps(size=(400, 300))
        assert len(big) > 2000
        send(receiver(), keitai_member.keitai_email, iso2022jp_report(keitai_member.keitai_email, "火事", big))
    finally:
        app.config["EJAN_REPORT_MAIL_PHOTO_BYTES"] = saved
    assert reports() == []
    [reply] = mailbox.to(keitai_member.keitai_email)
    assert "写真が大きすぎます" in mailbox.text_of(reply)


def test_a_report_without_any_place_gets_a_reply_with_the_reason(app, receiver, disaster, make_member, mailbox):
    homeless = make_member("地区なし")
    send(receiver(), homeless.email, iso2022jp_report(homeless.email, "道がふさがっています", None, subject="道路"))
    assert reports() == []
    [reply] = mailbox.to(homeless.email)
    assert "場所" in mailbox.text_of(reply)


def test_the_same_mail_delivered_twice_is_one_report(app, receiver, disaster, keitai_member):
    raw = iso2022jp_report(keitai_member.keitai_email, "冠水しています", jpeg_with_gps())
    port = receiver()
    send(port, keitai_member.keitai_email, raw)
    send(port, keitai_member.keitai_email, raw)
    assert len(reports()) == 1


def test_mail_ingest_reads_standard_input(app, disaster, keitai_member):
    runner = app.test_cli_runner()
    raw = shift_jis_report(keitai_member.keitai_email, "①倒れた塀", "建物")
    result = runner.invoke(args=["ejan", "mail-ingest"], input=raw)
    assert result.exit_code == 0 and result.output.startswith("stored: report #")
    [report] = reports()
    assert (report.category, report.body, report.status) == ("building", "①倒れた塀", "unverified")
    stranger = runner.invoke(args=["ejan", "mail-ingest"], input=shift_jis_report("x@example.net", "a", "b"))
    assert stranger.exit_code == 1 and stranger.output == "refused: unknown sender\n"
    assert len(reports()) == 1


# --- reading mail (no server) -------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["Shift_JIS", "shift-jis", "x-sjis", "SJIS", "Windows-31J"])
def test_parts_labelled_shift_jis_are_read_as_cp932(label):
    assert mailparse.decode_text("①〜Ⅲ㈱".encode("cp932"), label) == "①～Ⅲ㈱"


def test_iso2022jp_with_the_carriers_characters_is_never_refused():
    assert mailparse.decode_iso2022jp(carriers_iso2022jp("冠水①髙")) == "冠水①髙"
    assert mailparse.decode_iso2022jp("普通の日本語".encode("iso2022_jp")) == "普通の日本語"
    assert mailparse.decode_iso2022jp(b"\x1b$B\xa4\xa2\x1b(Bok") == "\ufffd\ufffdok"  # 8-bit in JIS: replaced
    assert mailparse.decode_text(b"\x1b$Bbroken\x1b", "iso-2022-jp")  # never raises


def test_a_raw_shift_jis_subject_from_an_old_phone_is_read():
    raw = b"From: a@docomo.ne.jp\r\nSubject: " + "冠水".encode("cp932") + b"\r\n\r\nbody"
    assert mailparse.read(raw, max_photo_bytes=10).subject == "冠水"


def test_a_decomail_html_only_body_becomes_text():
    message = MIMEMultipart("alternative")
    message["From"] = "a@docomo.ne.jp"
    message.attach(MIMEText("<html><body>橋が<br>落ちた<script>x</script></body></html>", "html", "utf-8"))
    assert mailparse.read(message.as_bytes(), max_photo_bytes=10).text == "橋が\n落ちた"


def test_an_octet_stream_jpeg_is_still_a_photo():
    message = MIMEMultipart()
    message["From"] = "a@ezweb.ne.jp"
    message.attach(MIMEApplication(b"\xff\xd8jpeg", Name="photo.jpg"))
    message.get_payload()[0]["Content-Disposition"] = 'attachment; filename="photo.jpg"'
    assert len(mailparse.read(message.as_bytes(), max_photo_bytes=100).photos) == 1


def test_members_are_found_by_either_address(app, keitai_member):
    assert members.member_by_mail_address("SATO-KAKEGAWA@docomo.ne.jp").id == keitai_member.id
    assert members.member_by_mail_address(keitai_member.email).id == keitai_member.id
    assert members.member_by_mail_address("nobody@example.net") is None
    assert members.member_by_mail_address("") is None
