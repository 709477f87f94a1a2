"""A damage report mailed from a phone: who sent it, whether it can be taken, and the report it becomes.

Called by the SMTP/LMTP receiver (ejan/intake/receiver.py) and by `flask ejan mail-ingest`.
- An unknown sender is refused (550 at the SMTP stage); no reply is ever mailed to it: the address
  may be forged, and a reply would be backscatter to whoever owns it.
- A known member whose mail cannot be taken (no disaster mode, a photo too large, no place) gets a
  short reply saying why, in their language, at their registered address.
- From: can be forged, so a mailed report always starts 未確認 (the disaster feature's default for
  every report) and waits in the admins' triage queue.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from .. import i18n
from ..errors import Invalid
from ..members.models import DISTRICTS, Member
from ..members.services import member_by_mail_address
from ..notify.services import queue_mail
from . import disaster_link, mailparse, subjects

log = logging.getLogger(__name__)

STORED, REPLIED, REFUSED = "stored", "replied", "refused"
# Why a known member's mail was not taken: the reply template words each one.
NO_EVENT, TOO_LARGE, NOT_TAKEN = "no_event", "too_large", "not_taken"
REPLY_TEMPLATE = "intake_reply"


@dataclass(frozen=True)
class MailOutcome:
    action: str  # stored / replied / refused
    reason: str  # for the operator's log line
    smtp: str  # what the receiver answers
    report_id: int | None = None


def known_sender(address: str | None) -> Member | None:
    return member_by_mail_address(address)


def accept(raw: bytes, envelope_sender: str | None = None) -> MailOutcome:
    """Take one message. envelope_sender: MAIL FROM when it came through the receiver."""
    config = current_app.config
    mail = mailparse.read(raw, max_photo_bytes=config["EJAN_REPORT_MAIL_PHOTO_BYTES"])
    address = (envelope_sender or mail.sender or "").strip().lower()
    member = known_sender(address)
    if member is None:
        return MailOutcome(REFUSED, "unknown sender", "550 5.7.1 Sender not registered")
    if envelope_sender and mail.sender and known_sender(mail.sender) != member:
        return MailOutcome(REFUSED, "From: is not the envelope sender's", "550 5.7.1 From does not match sender")
    event = disaster_link.active_event_for_reports()
    if event is None:
        return _reply(member, address, NO_EVENT, "no active disaster event")
    if mail.oversized:
        return _reply(member, address, TOO_LARGE, f"photo of {max(mail.oversized)} bytes is too large",
                      limit_kb=config["EJAN_REPORT_MAIL_PHOTO_BYTES"] // 1024)
    category, text = subjects.category_and_text(mail.subject, mail.text)
    photo = mail.photos[0].data if mail.photos else None
    with force_locale(i18n.valid(member.language) or i18n.DEFAULT):  # its problems are read by the member
        try:
            report_id = disaster_link.post_report(
                member, event, category=category, body=text, photo=photo,
                district=_district_in(mail.subject + "\n" + text) or member.district,
                token=_token(raw))
        except Invalid as error:
            problems = [problem.message for problem in error.problems]
            return _reply(member, address, NOT_TAKEN, "; ".join(problems), problems=problems)
    return MailOutcome(STORED, f"report #{report_id} by member #{member.id} (unverified)", "250 OK", report_id)


def _reply(member: Member, address: str, why: str, reason: str, **context) -> MailOutcome:
    queue_mail(address, REPLY_TEMPLATE, language=member.language or i18n.DEFAULT, nickname=member.nickname,
               why=why, **context)
    return MailOutcome(REPLIED, f"{why}: {reason}"[:300], "250 OK (replied)")


def _district_in(text: str) -> str | None:
    """A district named in the mail (「大東」) places the report when the photo has no position."""
    for name in sorted(DISTRICTS[:-1], key=len, reverse=True):  # longest first: 東山口 before 東山; not その他・市外
        if name in text:
            return name
    return None


def _token(raw: bytes) -> str:
    """The same message delivered twice (an MTA retrying after a timeout) makes one report."""
    match = re.search(rb"^Message-ID:\s*(<[^>\r\n]{1,500}>)", raw[:64 * 1024], re.IGNORECASE | re.MULTILINE)
    return hashlib.sha1(match.group(1) if match else raw).hexdigest()
