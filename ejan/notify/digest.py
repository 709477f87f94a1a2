"""The daily digest: a chatty kind's mail, for members who chose it, gathered into one mail a day."""
from __future__ import annotations

from sqlalchemy import select, update

from .. import i18n, mail
from ..clock import utcnow
from ..extensions import db
from ..members.models import Member
from ..urls import absolute_url
from . import bounces, wording
from .kinds import DIGEST
from .models import Broadcast, Delivery

ITEMS_MAX = 50  # more than this in a day: the mail lists the newest and points to the site


def send_all() -> int:
    pairs = db.session.execute(select(Delivery.member_id, Delivery.channel).where(Delivery.status == DIGEST)
                               .distinct()).all()
    db.session.rollback()
    for member_id, channel in pairs:
        send_one(member_id, channel)
    return len(pairs)


def send_one(member_id: int, channel: str) -> None:
    member = db.session.get(Member, member_id)
    rows = db.session.execute(
        select(Delivery.id, Delivery.address, Broadcast.kind, Broadcast.payload)
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(Delivery.member_id == member_id, Delivery.channel == channel, Delivery.status == DIGEST)
        .order_by(Delivery.id.desc())).all()
    if not rows or member is None:
        return
    ids = [row.id for row in rows]
    address = rows[0].address
    if address in bounces.stopped_among([address]):
        _mark(ids, "skipped", bounces.STOPPED_REASON)
        return
    actors = dict(db.session.execute(select(Member.id, Member.nickname).where(
        Member.id.in_({row.payload.get("actor_id") for row in rows} - {None}))).all())
    language = i18n.valid(member.language) or i18n.DEFAULT
    from flask_babel import force_locale

    with force_locale(language):
        items = [(wording.line_for(row.kind, actors.get(row.payload.get("actor_id")), row.payload.get("subject") or ""),
                  _absolute(row.payload.get("link"))) for row in rows[:ITEMS_MAX]]
    subject, text, html = mail.render_parts("digest", dict(
        nickname=member.nickname, items=items, more=max(0, len(rows) - ITEMS_MAX),
        settings=absolute_url("notify.preferences_page")), language)
    message = mail.compose(address, subject, text, html if channel == "pc" else None,
                           message_id=f"<digest.{member_id}.{channel}.{ids[0]}@{mail.message_domain()}>")
    with mail.outbox() as box:
        box.send(message, address)
    _mark(ids, "sent", "")


def _absolute(link: str | None) -> str:
    from .delivery import absolute_link

    return absolute_link(link) or ""


def _mark(ids, status: str, error: str) -> None:
    db.session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == DIGEST)
                       .values(status=status, error=error, sent_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
