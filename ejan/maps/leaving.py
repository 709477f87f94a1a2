"""Maps' part of 退会 (docs/leaving.md): the member's pins are deleted with their photos."""
from __future__ import annotations

from sqlalchemy import delete, select

from .. import signals
from ..extensions import db
from .models import Pin


@signals.member_leaving.connect
def _delete_pins(member, **unused) -> list[str]:
    keys = [key for key in db.session.scalars(select(Pin.photo_key).where(Pin.author_id == member.id)) if key]
    db.session.execute(delete(Pin).where(Pin.author_id == member.id))
    return keys
