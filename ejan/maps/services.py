"""Who may see or change a pin, and everything that happens to one: the map's rules, free of HTTP.

Visibility, one rule with its SQL twin (`can_see` / `visible_to`, checked against each other by a test):
- pins are for logged-in members whose account works (the site is invitation-only);
- a pin by a suspended author, or by someone with a block between them and the viewer, is not shown
  (shelters excepted: where to flee never disappears);
- a hidden pin is seen only by its author, admins, and the runners (owner, moderators) of the
  community it is linked to.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import media, signals
from ..cleaning import clean_text, single_line
from ..clock import utcnow
from ..communities import access as community_access
from ..communities import events
from ..communities.models import JOINED
from ..dbutil import earlier_submission, form_token
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..geo.boundary import inside_city
from ..members import access
from ..members.models import DISTRICTS, Member
from ..pagination import Page, paginate
from .categories import CATEGORIES, SHELTER, SHELTER_CLOSED, SHELTER_FULL, SHELTER_OPEN, SHELTER_STATUSES
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
    # "The author is active" is its own factor (the viewer, author of their own pins, is active), and
    # asked as "not one of the few inactive members": it stays inside an OR with the shelters, where
    # PostgreSQL hashes what the subquery yields, and that is now a few hundred rows, not every member.
    return and_(
        or_(Pin.category == SHELTER, access.no_inactive_member(Pin.author_id)),
        or_(
            Pin.author_id == viewer.id,
            and_(or_(Pin.hidden_at.is_(None), community_access.run_by(viewer.id, Pin.community_id)),
                 or_(Pin.category == SHELTER, ~access.blocked_between(viewer.id, Pin.author_id))),
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
    signals.admin_acted.send(admin, action="maps.shelter_status", target_kind="pin", target_id=pin.id,
                             detail=f"{pin.title}: {status or '-'}")
    db.session.commit()
    db.session.refresh(pin)
    return pin


# --- who may change what ---------------------------------------------------------------------------

def may_edit(actor: Member | None, pin: Pin) -> bool:
    """Only the author edits or deletes a pin."""
    return access.is_active(actor) and pin.author_id == actor.id


def may_hide(actor: Member | None, pin: Pin) -> bool:
    """Admins, and the owner and moderators of the community the pin is linked to."""
    if not access.is_active(actor):
        return False
    return actor.is_admin or community_access.runs(actor.id, pin.community_id)


def may_add_category(actor: Member | None, category: str) -> bool:
    """Any member adds any kind of pin but a shelter: the disaster screen counts those, so the city sets them."""
    return access.is_active(actor) and (category != SHELTER or actor.is_admin)


def pin_actions(viewer: Member | None, pin: Pin) -> dict[str, bool]:
    """What the pin page offers this viewer, so templates never restate a rule."""
    return {
        "edit": may_edit(viewer, pin),
        "hide": may_hide(viewer, pin) and pin.hidden_at is None,
        "unhide": may_hide(viewer, pin) and pin.hidden_at is not None,
        "report": access.is_active(viewer) and pin.author_id != viewer.id,
        "shelter_status": access.is_active(viewer) and viewer.is_admin and pin.category == SHELTER,
    }


def editable_pin(actor: Member, pin_id: int) -> Pin:
    """NotFound when the actor may not see it; Forbidden when it is someone else's."""
    pin = get_pin(actor, pin_id)
    if not may_edit(actor, pin):
        raise Forbidden(_("ピンを変えられるのは立てた人だけです。"))
    return pin


# --- what a pin holds --------------------------------------------------------------------------------

TITLE_MAX = 100
DESCRIPTION_MAX = 2_000


@dataclass(frozen=True)
class PinInput:
    """A pin as typed: texts cleaned, numbers parsed or None (a form that could not parse them)."""
    title: str
    category: str
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    district: str | None = None
    community_id: int | None = None
    event_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def check_pin(actor: Member, data: PinInput) -> PinInput:
    """Every fault of one submission at once; returns the input with its links settled."""
    problems = Problems()
    title = single_line(data.title or "")
    if not title:
        problems.add(_("タイトルを入力してください。"), "title")
    elif len(title) > TITLE_MAX:
        problems.add(_("タイトルは%(max)d文字以内にしてください。", max=TITLE_MAX), "title")
    if data.category not in CATEGORIES:
        problems.add(_("種類を選んでください。"), "category")
    elif not may_add_category(actor, data.category):
        problems.add(_("避難所のピンは市の管理者が立てます。"), "category")
    description = clean_text(data.description or "")
    if len(description) > DESCRIPTION_MAX:
        problems.add(_("説明は%(max)d文字以内にしてください。", max=DESCRIPTION_MAX), "description")
    problems.check(check_place, data.lat, data.lon)
    if data.district and data.district not in DISTRICTS:
        problems.add(_("地区を選んでください。"), "district")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        problems.add(_("終わりは始まりより後にしてください。"), "ends_at")
    community_id, event_id = data.community_id, data.event_id
    if event_id is not None:
        try:
            event = events.get_event(actor, event_id)
        except (NotFound, Forbidden):
            problems.add(_("イベントが見つかりません。"), "event_id")
        else:
            community_id = event.community_id
    if community_id is not None and community_access.role_of_id(community_id, actor.id) not in JOINED:
        problems.add(_("参加しているコミュニティを選んでください。"), "community_id")
    problems.raise_any()
    return PinInput(title=title, category=data.category, description=description, lat=data.lat, lon=data.lon,
                    district=data.district or None, community_id=community_id, event_id=event_id,
                    starts_at=data.starts_at, ends_at=data.ends_at)


def check_place(lat: float | None, lon: float | None) -> tuple[float, float]:
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        raise Invalid(_("地図で場所を選ぶか、緯度と経度を数字で入力してください。"), code="lat")
    if not inside_city(lat, lon):
        raise Invalid(_("その場所は掛川市の外です。市内の場所を選んでください。"), code="lat")
    return lat, lon


def create_pin(actor: Member, data: PinInput, *, photo: BinaryIO | None = None, submit_token: str | None = None) -> Pin:
    if not access.is_active(actor):
        raise Forbidden(_("ログインしてください。"))
    token = form_token(submit_token)
    earlier = earlier_submission(Pin, actor.id, token)
    if earlier is not None:
        return earlier
    data = check_pin(actor, data)
    media_dir = current_app.config["EJAN_MEDIA_DIR"]
    photo_key = media.store_image(photo, media_dir).key if photo is not None else None
    pin = Pin(author_id=actor.id, submit_token=token, photo_key=photo_key, **_columns(data))
    db.session.add(pin)
    try:
        db.session.commit()
    except IntegrityError:  # the same form, submitted twice at once: the first one stands
        db.session.rollback()
        if photo_key:
            media.delete_image(media_dir, photo_key)
        earlier = earlier_submission(Pin, actor.id, token)
        if earlier is None:
            raise
        return earlier
    return pin


def update_pin(actor: Member, pin_id: int, data: PinInput, *, photo: BinaryIO | None = None,
               remove_photo: bool = False) -> Pin:
    pin = editable_pin(actor, pin_id)
    data = check_pin(actor, data)
    media_dir = current_app.config["EJAN_MEDIA_DIR"]
    old_photo = pin.photo_key
    if photo is not None:
        pin.photo_key = media.store_image(photo, media_dir).key
    elif remove_photo:
        pin.photo_key = None
    for name, value in _columns(data).items():
        setattr(pin, name, value)
    pin.updated_at = utcnow()
    db.session.commit()
    if old_photo and old_photo != pin.photo_key:
        media.delete_image(media_dir, old_photo)
    return pin


def delete_pin(actor: Member, pin_id: int) -> None:
    pin = editable_pin(actor, pin_id)
    photo_key = pin.photo_key
    db.session.delete(pin)
    db.session.commit()
    if photo_key:
        media.delete_image(current_app.config["EJAN_MEDIA_DIR"], photo_key)


def _columns(data: PinInput) -> dict:
    return {"title": data.title, "category": data.category, "description": data.description, "lat": data.lat,
            "lon": data.lon, "district": data.district, "community_id": data.community_id,
            "event_id": data.event_id, "starts_at": data.starts_at, "ends_at": data.ends_at}


def set_hidden(actor: Member, pin_id: int, hidden: bool) -> Pin:
    """Hide a pin from members (or show it again); the first of two moderators acting at once wins."""
    pin = get_pin(actor, pin_id)
    if not may_hide(actor, pin):
        raise Forbidden(_("ピンを非表示にできるのは管理者とコミュニティの管理人だけです。"))
    if _set_hidden(actor, pin.id, hidden):
        signals.admin_acted.send(actor, action="maps.hide" if hidden else "maps.unhide", target_kind="pin",
                                 target_id=pin.id, detail=pin.title)
    db.session.commit()
    db.session.refresh(pin)
    return pin


def _set_hidden(actor: Member, pin_id: int, hidden: bool) -> bool:
    values = {"hidden_at": utcnow(), "hidden_by_id": actor.id} if hidden else {"hidden_at": None, "hidden_by_id": None}
    condition = Pin.hidden_at.is_(None) if hidden else Pin.hidden_at.isnot(None)
    return bool(db.session.execute(update(Pin).where(Pin.id == pin_id, condition).values(**values)
                                   .execution_options(synchronize_session=False)).rowcount)


def hide_for_tsuho(actor: Member, pin_id: int) -> None:
    """A 通報 upheld: the pin is hidden (ejan/reports/moderation.py decided the actor may; the caller commits)."""
    _set_hidden(actor, pin_id, True)


def photo_of(viewer: Member | None, pin_id: int) -> str:
    pin = get_pin(viewer, pin_id)
    if not pin.photo_key:
        raise NotFound(_("写真がありません。"))
    return pin.photo_key


# --- lists: the map's GeoJSON and the keitai list ------------------------------------------------------

ALL_PERIODS = "all"
CURRENT = "current"
PERIODS = (CURRENT, ALL_PERIODS)


@dataclass(frozen=True)
class PinFilter:
    categories: tuple[str, ...] = ()  # empty: every category
    period: str = CURRENT
    bbox: tuple[float, float, float, float] | None = None  # (min_lon, min_lat, max_lon, max_lat)
    district: str | None = None


def _filtered(viewer: Member | None, where: PinFilter):
    conditions = [visible_to(viewer)]
    if where.categories:
        conditions.append(Pin.category.in_(where.categories))
    if where.period != ALL_PERIODS:
        conditions.append(current())
    if where.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = where.bbox
        conditions += [Pin.lat.between(min_lat, max_lat), Pin.lon.between(min_lon, max_lon)]
    if where.district:
        conditions.append(Pin.district == where.district)
    return and_(*conditions)


def pins_in(viewer: Member | None, where: PinFilter, *, after: int | None, per_page: int) -> tuple[list, int | None]:
    """One page of the map's pins, by id after `after` (keyset: page 40 costs what page 1 does).

    Returns plain rows (no Member loaded) and the id the next page starts after, or None. One query."""
    stmt = (select(Pin.id, Pin.title, Pin.category, Pin.lat, Pin.lon, Pin.starts_at, Pin.ends_at,
                   Pin.shelter_status, Pin.hidden_at)
            .where(_filtered(viewer, where), Pin.id > (after or 0)).order_by(Pin.id).limit(per_page + 1))
    rows = db.session.execute(stmt).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].id if more else None)


# The circles the nearest-first list looks in, smallest first: about 550 m (a few hundred pins by the
# station, so the visibility check runs on those only), then about 2.2 km.
NEAR_DEGREES = (0.005, 0.02)


def pin_list(viewer: Member | None, where: PinFilter, page: int, per_page: int,
             near: tuple[float, float] | None = None) -> Page:
    """The keitai list: nearest first from `near`, else from the middle of the district's pins, else newest.

    Nearest first looks inside small circles first, where the lat/lon index finds the candidates;
    only when a circle cannot fill the page does it look in the next, then order the whole city
    (one more query each)."""
    stmt = select(Pin).where(_filtered(viewer, where))
    if near is None and where.district:
        centre = db.session.execute(select(func.avg(Pin.lat), func.avg(Pin.lon))
                                    .where(_filtered(viewer, where))).one()
        near = (centre[0], centre[1]) if centre[0] is not None else None
    if near is None:
        return paginate(stmt.order_by(Pin.created_at.desc(), Pin.id.desc()), page, per_page)
    lat, lon = near
    # Squared distance on a flat map with a degree of longitude shortened at this latitude: the
    # order is the great circle's within a city, and both databases do it with arithmetic.
    squeeze = math.cos(math.radians(lat))
    distance = (Pin.lat - lat) * (Pin.lat - lat) + (Pin.lon - lon) * (Pin.lon - lon) * squeeze * squeeze
    ordered = stmt.order_by(distance, Pin.id)
    # Every pin inside a circle is nearer than every pin outside it, so when a circle fills the page
    # (and one more row), its page is the city's page.
    for radius in NEAR_DEGREES:
        width = radius / max(squeeze, 0.01)
        circle = paginate(ordered.where(Pin.lat.between(lat - radius, lat + radius),
                                        Pin.lon.between(lon - width, lon + width),
                                        distance < radius * radius), page, per_page)
        if circle.has_next:
            return circle
    return paginate(ordered, page, per_page)
