"""Hard bounces: an address the mail server refused for good. After EJAN_BOUNCE_LIMIT of them no more
mail goes there; the member sees why on the preferences page and can ask for mail again."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..clock import utcnow
from ..extensions import db
from ..pagination import Page, paginate
from ..dbutil import add_once
from .models import MailBounce

STOPPED_REASON = "address stopped after repeated bounces"  # stored for the admin, who reads English logs too
STOPPED_WORDS = _l("このアドレスへのメールが何度も届かなかったため、送信を止めています。")


def limit() -> int:
    from flask import current_app

    return current_app.config["EJAN_BOUNCE_LIMIT"]


def record(address: str, reason: str) -> None:
    """Count one hard bounce of `address`; its own transaction, so a batch's failure cannot undo it."""
    if not address:
        return
    now = utcnow()
    add_once(MailBounce(address=address, count=0, last_reason="", last_at=now))
    db.session.execute(update(MailBounce).where(MailBounce.address == address)
                       .values(count=MailBounce.count + 1, last_reason=reason[:255], last_at=now)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(MailBounce).where(MailBounce.address == address, MailBounce.count >= limit(),
                                                MailBounce.stopped_at.is_(None))
                       .values(stopped_at=now).execution_options(synchronize_session=False))
    db.session.commit()


def stopped_among(addresses) -> set[str]:
    addresses = [a for a in addresses if a]
    if not addresses:
        return set()
    return set(db.session.scalars(select(MailBounce.address).where(
        MailBounce.address.in_(addresses), MailBounce.stopped_at.is_not(None))))


def state_of(addresses) -> dict[str, MailBounce]:
    """The bounce record of each of a member's addresses that has one."""
    addresses = [a for a in addresses if a]
    if not addresses:
        return {}
    return {b.address: b for b in db.session.scalars(select(MailBounce).where(MailBounce.address.in_(addresses)))}


def forgive(address: str) -> None:
    """The member says the address works again: count from zero."""
    db.session.execute(update(MailBounce).where(MailBounce.address == address)
                       .values(count=0, stopped_at=None).execution_options(synchronize_session=False))
    db.session.commit()


def bounced(page: int, per_page: int) -> Page:
    return paginate(select(MailBounce).order_by(MailBounce.last_at.desc(), MailBounce.address), page, per_page)


def failed_recipients(raw: bytes) -> list[tuple[str, str]]:
    """The (address, reason) pairs a delivery status notification (RFC 3464) reports as failed for good.

    Most bounces reach us later, from the city's relay, as such a report to the envelope sender: only
    `Action: failed` with a 5.x.x status counts as hard; delays and 4.x.x ones are the relay's to retry.
    Anything that is not a report (an auto-reply, spam to the bounce address) yields nothing."""
    from email import message_from_bytes, policy

    try:
        message = message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # a mangled message is not a bounce we can read
        return []
    if message.get_content_type() != "multipart/report":
        return []
    failed = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The payload is a list of header blocks: one for the message, then one per recipient.
        for block in part.get_payload() if part.is_multipart() else []:
            action = (block.get("Action") or "").strip().lower()
            status = (block.get("Status") or "").strip()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if action == "failed" and status.startswith("5") and "@" in address:
                reason = " ".join(f"{status} {block.get('Diagnostic-Code') or ''}".split())
                failed.append((address[:254], reason))
    return failed


def take_report(raw: bytes) -> int:
    """Record each hard failure a mailed bounce report names; how many were recorded."""
    failed = failed_recipients(raw)
    for address, reason in failed:
        record(address, reason)
    return len(failed)
