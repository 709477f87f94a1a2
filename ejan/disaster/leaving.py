"""Disaster's part of 退会 (docs/leaving.md): safety check-ins (the member's own and those made for family) are
deleted; damage reports stay in the event's record, their author shown as 「退会したメンバー」."""
from __future__ import annotations

from sqlalchemy import delete

from .. import signals
from ..extensions import db
from .models import SafetyCheckIn


@signals.member_leaving.connect
def _delete_checkins(member, **unused) -> None:
    db.session.execute(delete(SafetyCheckIn).where(SafetyCheckIn.member_id == member.id))
