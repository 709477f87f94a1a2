"""Notify's part of 退会 (docs/leaving.md): the mail stops. Notifications to the member and those about what the
member did, choices, the keitai address's confirmation and every delivery (queued, waiting for a digest, or sent)
are deleted."""
from __future__ import annotations

from sqlalchemy import delete, or_

from .. import signals
from ..extensions import db
from .models import Delivery, KeitaiConfirmation, Notification, Preference


@signals.member_leaving.connect
def _stop_mail(member, **unused) -> None:
    db.session.execute(delete(Notification).where(or_(Notification.member_id == member.id,
                                                      Notification.actor_id == member.id)))
    db.session.execute(delete(Preference).where(Preference.member_id == member.id))
    db.session.execute(delete(KeitaiConfirmation).where(KeitaiConfirmation.member_id == member.id))
    db.session.execute(delete(Delivery).where(Delivery.member_id == member.id))
