"""Broadcasts: from one notify() call to one delivery row per member and channel, sent in batches.

The path of a broadcast, and why each step holds under failure:
1. `create_broadcast` stores the kind, the payload and who it is for (an Audience or member ids).
2. The fan-out (tasks.fan_out) walks the members by id and queues one batch task per few hundred,
   each carrying an id range, never a list of addresses.
3. `plan_batch` writes the range's delivery rows and in-app notifications once: members who already
   have rows are skipped, and the unique (broadcast, member, channel) constraint stops a second copy
   of the batch running at the same moment.
4. `send_batch` claims queued rows a group at a time (status `sending` with a lease), sends them over
   one SMTP connection, and marks them sent group by group. A worker killed mid-group leaves its
   claimed rows leased; once the lease runs out a redelivered batch sends them again, with the same
   Message-ID (fixed by the row's id): at most one group is mailed twice.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import i18n, mail
from ..clock import utcnow
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..text import honorific
from ..urls import absolute_url
from . import bounces, wording
from .audience import Audience
from .kinds import DIGEST, INSTANT, KEITAI, MAIL_CHANNELS, OFF, PC, WEB, spec_for
from .models import Broadcast, Delivery, KeitaiConfirmation, Notification, Preference

QUEUED, SENDING, SENT, FAILED, SKIPPED = "queued", "sending", "sent", "failed", "skipped"


def settings(name: str):
    return current_app.config[name]


# --- 1. the broadcast ----------------------------------------------------------------------------

def create_broadcast(kind: str, payload: dict, *, audience=None, member_ids=None) -> Broadcast:
    spec = spec_for(kind)
    broadcast = Broadcast(
        kind=kind, payload=payload, member_ids=member_ids, is_audience=audience is not None,
        audience=None if audience is None else {"everyone": audience.everyone, "districts": list(audience.districts),
                                                "community_id": audience.community_id},
        queue=settings("EJAN_DISASTER_QUEUE") if spec.urgent else settings("EJAN_MAIL_QUEUE"),
    )
    db.session.add(broadcast)
    db.session.commit()
    return broadcast


def _audience(broadcast: Broadcast) -> Audience:
    fields = broadcast.audience
    return Audience(everyone=fields["everyone"], districts=tuple(fields["districts"]),
                    community_id=fields["community_id"])


def _members_statement(broadcast: Broadcast, lo: int, hi: int):
    columns = (Member.id, Member.email, Member.keitai_email, Member.nickname, Member.language)
    if broadcast.audience is not None:
        stmt = _audience(broadcast).member_ids_statement().with_only_columns(*columns)
    else:
        ids = [i for i in broadcast.member_ids if lo <= i <= hi]
        stmt = select(*columns).where(access.active(), Member.id.in_(ids)).order_by(Member.id)
    return stmt.where(Member.id.between(lo, hi))


# --- 2. id ranges ----------------------------------------------------------------------------------

def batch_ranges(broadcast: Broadcast, size: int | None = None):
    """(first id, last id) of each batch of `size` recipients, walking the ids in order."""
    size = size or settings("EJAN_NOTIFY_BATCH")
    if broadcast.member_ids is not None:
        ids = sorted(set(broadcast.member_ids))
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            yield chunk[0], chunk[-1]
        return
    stmt = _audience(broadcast).member_ids_statement()
    last = 0
    while True:
        ids = list(db.session.scalars(stmt.where(Member.id > last).limit(size)))
        if not ids:
            return
        yield ids[0], ids[-1]
        last = ids[-1]


# --- 3. planning a batch ---------------------------------------------------------------------------

def plan_batch(broadcast: Broadcast, lo: int, hi: int) -> int:
    """Write the delivery rows and in-app notifications of members lo..hi that have none yet; returns
    how many mails are queued in the range."""
    for _attempt in range(3):
        try:
            _plan(broadcast, lo, hi)
            break
        except IntegrityError:  # another copy of this batch planned the same members first
            db.session.rollback()
    return db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.broadcast_id == broadcast.id, Delivery.member_id.between(lo, hi), Delivery.status == QUEUED))


def _plan(broadcast: Broadcast, lo: int, hi: int) -> None:
    spec = spec_for(broadcast.kind)
    planned = set(db.session.scalars(select(Delivery.member_id).where(
        Delivery.broadcast_id == broadcast.id, Delivery.member_id.between(lo, hi)).distinct()))
    members = [m for m in db.session.execute(_members_statement(broadcast, lo, hi)) if m.id not in planned]
    if not members:
        db.session.rollback()
        return
    chosen = {(member_id, channel): mode for member_id, channel, mode in db.session.execute(
        select(Preference.member_id, Preference.channel, Preference.mode).where(
            Preference.kind == broadcast.kind, Preference.member_id.between(lo, hi)))}
    keitai = {member_id: address for member_id, address in db.session.execute(
        select(KeitaiConfirmation.member_id, KeitaiConfirmation.address).where(
            KeitaiConfirmation.member_id.between(lo, hi), KeitaiConfirmation.confirmed_at.is_not(None)))}
    addresses = {m.email for m in members} | {m.keitai_email for m in members if m.keitai_email}
    stopped = bounces.stopped_among(addresses)
    payload = broadcast.payload
    deliveries, notifications = [], []
    now = utcnow()
    for member in members:
        for channel in (WEB, PC, KEITAI):
            mode = spec.mode(channel, chosen.get((member.id, channel)))
            if mode == OFF:
                continue
            row = dict(broadcast_id=broadcast.id, member_id=member.id, channel=channel, address=None,
                       status=SENT if channel == WEB else QUEUED if mode == INSTANT else DIGEST,
                       error="", attempts=0, sent_at=now if channel == WEB else None)
            if channel == WEB:
                notifications.append(dict(
                    member_id=member.id, kind=broadcast.kind, actor_id=payload.get("actor_id"),
                    link=payload.get("link", ""), subject=_subject_line(payload)[:100], created_at=now))
            else:
                address = member.email if channel == PC else (
                    member.keitai_email if member.keitai_email and keitai.get(member.id) == member.keitai_email else None)
                if not address:
                    continue
                row["address"] = address
                if address in stopped:
                    row.update(status=SKIPPED, error=bounces.STOPPED_REASON)
            deliveries.append(row)
    if deliveries:
        db.session.execute(insert(Delivery), deliveries)
    if notifications:
        db.session.execute(insert(Notification), notifications)
    db.session.commit()


def _subject_line(payload: dict) -> str:
    if payload.get("subject"):
        return payload["subject"]
    texts = payload.get("texts") or {}
    chosen = texts.get(i18n.DEFAULT) or next(iter(texts.values()), {})
    return chosen.get("title", "")


# --- 4. sending a batch ----------------------------------------------------------------------------

class Transient(Exception):
    """The mail server or the network had a bad minute: the batch is retried later."""


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    leased_elsewhere: int = 0  # rows another worker holds (or held, until its lease runs out)


def _claimable(now):
    return or_(Delivery.status == QUEUED, and_(Delivery.status == SENDING, Delivery.claimed_until < now))


def _claim(broadcast_id: int, lo: int, hi: int, limit: int) -> list[int]:
    now = utcnow()
    in_range = and_(Delivery.broadcast_id == broadcast_id, Delivery.member_id.between(lo, hi),
                    Delivery.channel.in_(MAIL_CHANNELS))
    ids = list(db.session.scalars(select(Delivery.id).where(in_range, _claimable(now)).order_by(Delivery.id).limit(limit)))
    if not ids:
        db.session.rollback()
        return []
    lease = now + timedelta(seconds=settings("EJAN_MAIL_CLAIM_SECONDS"))
    claimed = list(db.session.scalars(
        update(Delivery).where(Delivery.id.in_(ids), _claimable(now))
        .values(status=SENDING, claimed_until=lease, attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    return sorted(claimed)


def _leased(broadcast_id: int, lo: int, hi: int) -> int:
    return db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.broadcast_id == broadcast_id, Delivery.member_id.between(lo, hi), Delivery.status == SENDING))


def send_batch(broadcast: Broadcast, lo: int, hi: int) -> BatchResult:
    """Send the range's queued mail over one connection. Raises Transient when the server refuses for
    now; what was sent before that stays marked, what was not goes back to the queue."""
    result = BatchResult()
    group = settings("EJAN_MAIL_MARK_EVERY")
    box = None
    with mail.outbox_lazily() as connect:
        while True:
            ids = _claim(broadcast.id, lo, hi, group)
            if not ids:
                break
            box = box or connect()
            _send_group(broadcast, ids, box, result)
    result.leased_elsewhere = _leased(broadcast.id, lo, hi)
    return result


def _send_group(broadcast: Broadcast, ids: list[int], box, result: BatchResult) -> None:
    rows = db.session.execute(
        select(Delivery.id, Delivery.member_id, Delivery.channel, Delivery.address, Member.nickname, Member.language)
        .join(Member, Member.id == Delivery.member_id).where(Delivery.id.in_(ids)).order_by(Delivery.id)).all()
    db.session.rollback()  # no transaction held open while talking to the mail server
    prototypes: dict = {}
    sent, failed = [], {}
    try:
        for row in rows:
            data = stamp(broadcast, row, prototypes)
            try:
                box.send_bytes(data, row.address)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                if code < 500:
                    raise Transient(f"{code} {_text(text)}") from exc
                failed[row.id] = f"{code} {_text(text)}"[:255]
                bounces.record(row.address, failed[row.id])
                continue
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                if exc.smtp_code < 500:
                    raise Transient(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
                failed[row.id] = f"{exc.smtp_code} {_text(exc.smtp_error)}"[:255]
                continue
            except (smtplib.SMTPException, OSError) as exc:
                raise Transient(str(exc) or type(exc).__name__) from exc
            sent.append(row.id)
    finally:
        _mark(ids, sent, failed)
        result.sent += len(sent)
        result.failed += len(failed)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _mark(claimed: list[int], sent: list[int], failed: dict[int, str]) -> None:
    """Record a group's outcome; rows claimed but never tried (the server gave out) go back to the queue."""
    now = utcnow()
    if sent:
        db.session.execute(update(Delivery).where(Delivery.id.in_(sent))
                           .values(status=SENT, sent_at=now, claimed_until=None)
                           .execution_options(synchronize_session=False))
    for delivery_id, reason in failed.items():
        db.session.execute(update(Delivery).where(Delivery.id == delivery_id)
                           .values(status=FAILED, error=reason, claimed_until=None)
                           .execution_options(synchronize_session=False))
    untried = [i for i in claimed if i not in failed and i not in set(sent)]
    if untried:
        db.session.execute(update(Delivery).where(Delivery.id.in_(untried), Delivery.status == SENDING)
                           .values(status=QUEUED, claimed_until=None).execution_options(synchronize_session=False))
    db.session.commit()


def give_up(broadcast_id: int, lo: int, hi: int, reason: str) -> None:
    """Retries exhausted: what is still queued in the range is failed, with the last reason, for the admin."""
    db.session.execute(
        update(Delivery).where(Delivery.broadcast_id == broadcast_id, Delivery.member_id.between(lo, hi),
                               Delivery.channel.in_(MAIL_CHANNELS), _claimable(utcnow()))
        .values(status=FAILED, error=reason[:255], claimed_until=None).execution_options(synchronize_session=False))
    db.session.commit()


# --- the message of one delivery -------------------------------------------------------------------

def message_id(delivery_id: int, broadcast_id: int) -> str:
    return f"<{delivery_id}.{broadcast_id}.delivery@{mail.message_domain()}>"


def stamp(broadcast: Broadcast, row, prototypes: dict) -> bytes:
    """One reader's mail as bytes, from the prototype of their language and kind of address."""
    language = i18n.valid(row.language) or i18n.DEFAULT
    keitai = row.channel == KEITAI or mail.is_keitai_address(row.address)
    mandatory = spec_for(broadcast.kind).mandatory
    key = (language, keitai)
    prototype = prototypes.get(key)
    if prototype is None:
        headers = {} if mandatory else {"List-Unsubscribe": f"<{mail.UNSUBSCRIBE}>",
                                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        subject, text, html = contents(broadcast, mail.NICKNAME, language, None if mandatory else mail.UNSUBSCRIBE)
        with force_locale(language):
            greeting = honorific(mail.NICKNAME)
        prototype = prototypes[key] = (mail.Prototype(subject, text, html, keitai=keitai, headers=headers), greeting)
    prototype, greeting = prototype
    with force_locale(language):
        values = {greeting: honorific(row.nickname), mail.NICKNAME: row.nickname}
    if not mandatory:
        values[mail.UNSUBSCRIBE] = absolute_url("notify.unsubscribe",
                                                token=unsubscribe_token(row.member_id, broadcast.kind, row.channel))
    return prototype.stamp(row.address, message_id(row.id, broadcast.id), values)


def contents(broadcast: Broadcast, nickname: str, language: str, unsubscribe: str | None) -> tuple[str, str, str]:
    """Subject, text and HTML of a broadcast for one reader, in their language (texts: theirs, else Japanese)."""
    payload = broadcast.payload
    link = absolute_link(payload.get("link"))
    common = dict(nickname=nickname, link=link, unsubscribe=unsubscribe, drill=bool(payload.get("drill")))
    texts = payload.get("texts")
    if texts:
        chosen = texts.get(language) or texts.get(i18n.DEFAULT) or next(iter(texts.values()))
        language = language if language in texts else (i18n.DEFAULT if i18n.DEFAULT in texts else language)
        parts = mail.render_parts("notice", dict(common, title=chosen.get("title", ""), body=chosen.get("body", "")),
                                  language)
    elif payload.get("mail"):
        parts = mail.render_parts(payload["mail"], dict(payload.get("context") or {}, **common), language)
    else:
        with force_locale(language):
            title = wording.line_for(broadcast.kind, _actor_name(broadcast), payload.get("subject") or "")
        parts = mail.render_parts("notice", dict(common, title=title, body=""), language)
    if payload.get("drill"):
        with force_locale(language):
            parts = (_("【訓練】%(subject)s", subject=parts[0]), *parts[1:])
    return parts


def _actor_name(broadcast: Broadcast) -> str | None:
    """The actor's nickname, looked up once per broadcast object (a batch sends many of its mails)."""
    actor_id = broadcast.payload.get("actor_id")
    if actor_id is None:
        return None
    cache = broadcast.__dict__.setdefault("_actor_names", {})
    if actor_id not in cache:
        cache[actor_id] = db.session.scalar(select(Member.nickname).where(Member.id == actor_id))
    return cache[actor_id]


def absolute_link(link: str | None) -> str | None:
    if not link:
        return None
    return settings("EJAN_BASE_URL").rstrip("/") + link if link.startswith("/") else link


# --- unsubscribing with one click ------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="ejan.notify.unsubscribe")


def unsubscribe_token(member_id: int, kind: str, channel: str) -> str:
    return _signer().dumps([member_id, kind, channel])


def read_unsubscribe_token(token: str) -> tuple[int, str, str] | None:
    try:
        member_id, kind, channel = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int) or channel not in MAIL_CHANNELS or not isinstance(kind, str):
        return None
    return member_id, kind, channel


# --- what the admin sees ---------------------------------------------------------------------------

def progress(broadcast_id: int) -> dict[str, int]:
    counts = dict(db.session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .where(Delivery.broadcast_id == broadcast_id, Delivery.channel.in_(MAIL_CHANNELS))
        .group_by(Delivery.status)).all())
    return {status: counts.get(status, 0) for status in (QUEUED, SENDING, SENT, FAILED, SKIPPED, DIGEST)}


def reached_in_site(broadcast_id: int) -> int:
    return db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.broadcast_id == broadcast_id, Delivery.channel == WEB))


def reopen_failed(broadcast_id: int) -> list[tuple[int, int]]:
    """Put a broadcast's failed mail back in the queue; returns the id ranges to send again."""
    member_ids = sorted(set(db.session.scalars(select(Delivery.member_id).where(
        Delivery.broadcast_id == broadcast_id, Delivery.status == FAILED))))
    db.session.execute(update(Delivery).where(Delivery.broadcast_id == broadcast_id, Delivery.status == FAILED)
                       .values(status=QUEUED, error="").execution_options(synchronize_session=False))
    db.session.commit()
    size = settings("EJAN_NOTIFY_BATCH")
    return [(member_ids[i], member_ids[min(i + size, len(member_ids)) - 1]) for i in range(0, len(member_ids), size)]
