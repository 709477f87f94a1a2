"""A member's keitai mail address: registered on the site, confirmed by a link mailed to it.

Carriers gave many phones addresses the RFC forbids (`taro..x.@docomo.ne.jp`) and deliver to them,
so they are accepted (mail.loose_address). Keitai mail goes only to a confirmed address that is still
the member's `keitai_email`; changing it on the profile page asks for a new confirmation.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import mail
from ..clock import utcnow
from ..errors import Invalid, NotFound
from ..extensions import db
from ..members import services as members
from ..members.models import Member
from ..members.services import hash_token
from ..urls import absolute_url
from .models import KeitaiConfirmation
from .services import queue_mail

RESEND_SECONDS = 60  # one confirmation mail a minute per member: the form cannot be used to flood an address
CONFIRM_DAYS = 3


@dataclass(frozen=True)
class KeitaiState:
    address: str | None
    confirmed: bool
    pending: bool  # a link was mailed and not yet opened


def state_of(member: Member) -> KeitaiState:
    row = db.session.get(KeitaiConfirmation, member.id)
    same = row is not None and row.address == member.keitai_email
    return KeitaiState(member.keitai_email, bool(same and row.confirmed_at), bool(same and not row.confirmed_at))


def register(member: Member, raw: str) -> str:
    """Store the address and mail it a confirmation link; returns the address as stored."""
    address = mail.loose_address(raw)
    if address is None:
        raise Invalid(_("携帯メールアドレスの形式が正しくありません。"), code="address")
    row = db.session.get(KeitaiConfirmation, member.id)
    if row is not None and row.address == address and row.confirmed_at and member.keitai_email == address:
        return address  # already confirmed: nothing to do
    if row is not None and row.sent_at > utcnow() - timedelta(seconds=RESEND_SECONDS):
        raise Invalid(_("確認メールを送ったばかりです。1分ほど待ってからもう一度お試しください。"), code="address")
    token = secrets.token_urlsafe(24)
    if row is None:
        row = KeitaiConfirmation(member_id=member.id)
        db.session.add(row)
    row.address, row.token_hash, row.sent_at, row.confirmed_at = address, hash_token(token), utcnow(), None
    members.set_keitai_email(member, address)  # commits both
    queue_mail(address, "keitai_confirm", language=member.language, nickname=member.nickname,
               url=absolute_url("notify.keitai_confirm", token=token))
    return address


def confirm(token: str) -> KeitaiConfirmation:
    """The link was opened: the address reaches its owner. Valid for a few days, once."""
    row = db.session.scalar(select(KeitaiConfirmation).where(KeitaiConfirmation.token_hash == hash_token(token or "")))
    if row is None or row.sent_at < utcnow() - timedelta(days=CONFIRM_DAYS):
        raise NotFound(_("確認のリンクが見つからないか、期限が切れています。もう一度登録してください。"))
    owner = db.session.get(Member, row.member_id)
    if owner is None or owner.keitai_email != row.address:
        raise NotFound(_("確認のリンクが見つからないか、期限が切れています。もう一度登録してください。"))
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        db.session.commit()
    return row


def remove(member: Member) -> None:
    db.session.execute(delete(KeitaiConfirmation).where(KeitaiConfirmation.member_id == member.id))
    members.set_keitai_email(member, None)
