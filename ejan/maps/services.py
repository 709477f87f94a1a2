"""Who may see or change a pin, and everything that happens to one: the map's rules, free of HTTP.

Visibility, one rule with its SQL twin (`can_see` / `visible_to`, checked against each other by a test):
- pins are for logged-in members whose account works (the site is invitation-only);
- a pin by a suspended author, or by someone with a block between them and the viewer, is not shown
  (shelters excepted: where to flee never disappears);
- a hidden pin is seen only by its author, admins, and the runners (owner, moderators) of the
  community it is linked to.
"""
from __future__ import annotations

from typing import Sequence

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, or_, select, update

from ..clock import utcnow
from ..communities import access as community_access
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from .categories import SHELTER, SHELTER_CLOSED, SHELTER_FULL, SHELTER_OPEN, SHELTER_STATUSES
from .models import Pin


# --- who may see what ------------------------------------------------------------------------------

def can_see(viewer: Member | None, pin: Pin) -> bool:
    if not access.is_active(viewer):
        return False
    if pin.author_id == viewer.id or viewer.is_admin:
        return True
    if pin.hidden_at is not None and not community_access.runs(viewer.id, pin.community_id):
        return False
    if pin.category == SHELTER:
        return True
    return access.is_active(pin.author) and not access.is_blocked_between(viewer.id, pin.author_id)


def visible_to(viewer: Member | None):
    """can_see() as a SQL condition, for the map, the lists and GeoJSON."""
    if not access.is_active(viewer):
        return false()
    if viewer.is_admin:
        return Pin.id.isnot(None)
    return or_(
        Pin.author_id == viewer.id,
        and_(
            or_(Pin.hidden_at.is_(None), community_access.run_by(viewer.id, Pin.community_id)),
            or_(Pin.category == SHELTER,
                and_(access.active_member(Pin.author_id), ~access.blocked_between(viewer.id, Pin.author_id))),
        ),
    )


def current(moment=None):
    """The default view: pins whose period (if any) has not ended."""
    return or_(Pin.ends_at.is_(None), Pin.ends_at >= (moment or utcnow()))


def get_pin(viewer: Member | None, pin_id: int) -> Pin:
    """A pin the viewer may see; one they may not see does not exist for them."""
    pin = db.session.get(Pin, pin_id) if pin_id else None
    if pin is None or not can_see(viewer, pin):
        raise NotFound(_("ピンが見つかりません。"))
    return pin


# --- shelters (the disaster screen reads these) --------------------------------------------------

def _visible_shelters():
    return and_(Pin.category == SHELTER, Pin.hidden_at.is_(None))


def shelter_counts() -> dict[str, int]:
    """Visible shelters by status ("open", "full", "closed"; "unknown" for those never set); one query."""
    rows = db.session.execute(
        select(Pin.shelter_status, func.count(Pin.id)).where(_visible_shelters()).group_by(Pin.shelter_status))
    counts = {status: 0 for status in SHELTER_STATUSES}
    for status, count in rows:
        key = status if status in counts else "unknown"
        counts[key] = counts.get(key, 0) + count
    return counts


def shelters_page(page: int, per_page: int) -> Page:
    """Visible shelters, open ones first, then by name; Page of Pin."""
    order = case({SHELTER_OPEN: 0, SHELTER_FULL: 1, SHELTER_CLOSED: 2}, value=Pin.shelter_status, else_=3)
    stmt = select(Pin).where(_visible_shelters()).order_by(order, Pin.title, Pin.id)
    return paginate(stmt, page, per_page)


def set_shelter_status(admin: Member, pin: Pin, status: str | None) -> Pin:
    """Admins set a shelter's status; None clears it."""
    if not (access.is_active(admin) and admin.is_admin):
        raise Forbidden(_("避難所の状況を変えられるのは管理者だけです。"))
    if pin.category != SHELTER:
        raise Invalid(_("避難所ではないピンです。"), code="shelter_status")
    if status is not None and status not in SHELTER_STATUSES:
        raise Invalid(_("避難所の状況を選んでください。"), code="shelter_status")
    db.session.execute(update(Pin).where(Pin.id == pin.id)
                       .values(shelter_status=status, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(pin)
    return pin
