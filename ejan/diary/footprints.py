"""あしあと: who looked at a member's pages, one footprint per visitor per day (Japan time).

A footprint is written with reading a page (a profile, a diary, an entry), so it is gathered in this
process and written in batches (ejan/batching.py) every FLUSH_SECONDS or FLUSH_SIZE visits: a page view
costs no statement, commit or log flush of its own. The owner's list writes this process's pending
footprints first, so a visit shows at once here and within FLUSH_SECONDS from another web process.
"""
from __future__ import annotations

import logging

from sqlalchemy import case, delete, select
from sqlalchemy.orm import contains_eager

from .. import batching, signals
from ..clock import today_jst, utcnow
from ..members import access
from ..members.models import STATUS_LEFT, Member
from ..pagination import Page, paginate
from .models import Footprint

FLUSH_SECONDS = 5
FLUSH_SIZE = 200
log = logging.getLogger(__name__)


def _write(conn, visits: dict) -> None:
    """Upsert the gathered visits: a later visit the same day moves the footprint's time, never back."""
    rows = [{"owner_id": owner_id, "visitor_id": visitor_id, "day": day, "visited_at": moment}
            for (owner_id, visitor_id, day), moment in sorted(visits.items())]
    stmt = batching.insert_for(conn)(Footprint).values(rows)
    later = case((stmt.excluded.visited_at > Footprint.visited_at, stmt.excluded.visited_at),
                 else_=Footprint.visited_at)
    conn.execute(stmt.on_conflict_do_update(index_elements=["owner_id", "visitor_id", "day"],
                                            set_={"visited_at": later}))
    # A member who left meanwhile has had their footprints deleted both ways (leaving.py), and a visit gathered
    # before must not bring one back. Asked after writing, in the same transaction: a read first would make
    # SQLite's writer wait behind another one's snapshot and fail instead of waiting its turn.
    involved = sorted({member_id for owner_id, visitor_id, _day in visits for member_id in (owner_id, visitor_id)})
    departed = set(conn.scalars(select(Member.id).where(Member.id.in_(involved), Member.status == STATUS_LEFT)))
    for owner_id, visitor_id, day in visits:
        if owner_id in departed or visitor_id in departed:
            conn.execute(delete(Footprint).where(Footprint.owner_id == owner_id, Footprint.visitor_id == visitor_id,
                                                 Footprint.day == day))


_pending = batching.Batch("footprints", _write, merge=max, seconds=FLUSH_SECONDS, size=FLUSH_SIZE)


def record(visitor: Member, owner: Member) -> None:
    """Note a visit; none on one's own pages, nor between members with a block between them."""
    if visitor.id == owner.id or access.is_blocked_between(visitor.id, owner.id):
        return
    if _pending.add((owner.id, visitor.id, today_jst()), utcnow()):
        flush()


def flush() -> None:
    """Write this process's pending footprints (a page never fails over one: they wait for the next flush)."""
    try:
        _pending.flush()
    except Exception:
        log.warning("footprints not written; kept for the next flush", exc_info=True)


def forget_member(member_id: int) -> None:
    """A member is leaving: this process's gathered visits by them or to them are never written (their rows are
    deleted in the leaving transaction; another process's batch leaves them out once the member has left)."""
    _pending.drop(lambda key: member_id in (key[0], key[1]))


def of(owner: Member, page: int, per_page: int) -> Page:
    """The owner's footprints, newest visit first: active visitors with no block between them."""
    flush()
    stmt = (select(Footprint).where(Footprint.owner_id == owner.id)
            .join(Member, Member.id == Footprint.visitor_id)
            .where(access.active(), access.not_blocked_between(owner, Footprint.visitor_id))
            .options(contains_eager(Footprint.visitor))  # the visitor from the join above, not a second SELECT
            .order_by(Footprint.visited_at.desc(), Footprint.id.desc()))
    return paginate(stmt, page, per_page)


@signals.member_page_viewed.connect
def _on_view(viewer, owner, **_):
    record(viewer, owner)
