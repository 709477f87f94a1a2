"""How each member wants to hear of each kind of thing: per kind and channel (kinds.MODES).

Only choices that differ from nothing are stored: no row means the kind's default, so a kind added
later reaches everyone the way its feature meant. Mandatory kinds have no choice to store.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..members.models import Member
from .kinds import CHANNELS, Kind, registry
from .models import Preference


@dataclass(frozen=True)
class Choice:
    kind: str
    channel: str
    mode: str  # what applies now
    modes: tuple[str, ...]  # what the member may choose; one alone: fixed
    mandatory: bool

    @property
    def field(self) -> str:
        return f"{self.kind}.{self.channel}"


def choices_for(member: Member) -> list[list[Choice]]:
    """One row per kind (in declaration order), one Choice per channel."""
    stored = {(p.kind, p.channel): p.mode for p in db.session.scalars(
        select(Preference).where(Preference.member_id == member.id))}
    rows = []
    for name, spec in registry().items():
        rows.append([Choice(name, channel, spec.mode(channel, stored.get((name, channel))), spec.modes(channel),
                            spec.mandatory) for channel in CHANNELS])
    return rows


def save(member: Member, form: Mapping[str, str]) -> int:
    """Store every valid choice in the form (`kind.channel` = mode); fields absent or odd change nothing."""
    changed = 0
    for name, spec in registry().items():
        for channel in CHANNELS:
            value = form.get(f"{name}.{channel}")
            if value is not None and set_mode(member.id, name, channel, value, spec):
                changed += 1
    return changed


def set_mode(member_id: int, kind: str, channel: str, mode: str, spec: Kind | None = None) -> bool:
    spec = spec or registry().get(kind)
    if spec is None or spec.mandatory or channel not in CHANNELS or mode not in spec.modes(channel):
        return False
    for _attempt in range(2):  # two saves at once: the second finds the row the first inserted
        try:
            row = db.session.get(Preference, (member_id, kind, channel))
            if mode == spec.default_mode(channel):
                if row is not None:
                    db.session.execute(delete(Preference).where(Preference.member_id == member_id,
                                                                Preference.kind == kind, Preference.channel == channel))
            elif row is None:
                db.session.add(Preference(member_id=member_id, kind=kind, channel=channel, mode=mode))
            else:
                row.mode = mode
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
    return False
