"""まちかどレポート: members report damage during an event; admins triage; everyone reads the verified ones.

Who sees what (one rule, `can_see`, with its SQL twin `visible_to`):
- logged-out readers of the disaster screen: verified and resolved reports (text only, no photo);
- members: every report not hidden, the unverified ones marked 未確認; never one whose author has a
  block between them and the viewer, nor one by a suspended author;
- admins: every report, hidden ones included (the triage queue).
"""
from __future__ import annotations

from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import media, signals
from ..clock import utcnow
from ..dbutil import earlier_submission, form_token
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..geo.boundary import inside_city
from ..members import access
from ..members.models import DISTRICTS, Member
from ..pagination import Page, paginate
from .models import (HIDDEN, REPORT_CATEGORIES, REPORT_STATUSES, RESOLVED, UNVERIFIED, VERIFIED, DamageReport,
                     DisasterEvent)
from .words import REPORT_CATEGORY, REPORT_STATUS

PUBLIC = (VERIFIED, RESOLVED)
HOURS = (1, 6, 24)  # the list's "last n hours" filter
MAX_BODY = 1000


# --- who sees what ---------------------------------------------------------------------------------------

def can_see(viewer: Member | None, report: DamageReport) -> bool:
    if access.is_active(viewer) and viewer.is_admin:
        return True
    if report.status not in PUBLIC and not access.is_active(viewer):
        return False
    if report.status == HIDDEN:
        return False
    if not access.is_active(report.author):
        return False
    return not (access.is_active(viewer) and access.is_blocked_between(viewer.id, report.author_id))


def visible_to(viewer: Member | None):
    if not access.is_active(viewer):
        return and_(DamageReport.status.in_(PUBLIC), access.active_member(DamageReport.author_id))
    if viewer.is_admin:
        return true()
    return and_(DamageReport.status != HIDDEN, access.active_member(DamageReport.author_id),
                ~access.blocked_between(viewer.id, DamageReport.author_id))


def get_report(viewer: Member | None, report_id: int) -> DamageReport:
    report = db.session.get(DamageReport, report_id) if report_id else None
    if report is None or not can_see(viewer, report):
        raise NotFound(_("レポートが見つかりません。"))
    return report


def photo_visible(viewer: Member | None, report: DamageReport) -> bool:
    """Photos are for members (ejan/images.py), like every image on the site."""
    return access.is_active(viewer) and report.image_key is not None and can_see(viewer, report)


# --- lists ------------------------------------------------------------------------------------------------------

def reports_of(viewer: Member | None, event: DisasterEvent, *, category: str | None = None,
               district: str | None = None, hours: int | None = None, status: str | None = None,
               page: int = 1, per_page: int = 20, after: str | None = None) -> Page:
    """Newest first, filtered; unknown filter values are ignored (a hand-edited URL still shows a list)."""
    stmt = (select(DamageReport).where(DamageReport.event_id == event.id, visible_to(viewer))
            .options(joinedload(DamageReport.author))
            .order_by(DamageReport.created_at.desc(), DamageReport.id.desc()))
    if category in REPORT_CATEGORIES:
        stmt = stmt.where(DamageReport.category == category)
    if district in DISTRICTS:
        stmt = stmt.where(DamageReport.district == district)
    if hours in HOURS:
        stmt = stmt.where(DamageReport.created_at >= utcnow() - timedelta(hours=hours))
    if status in REPORT_STATUSES:
        stmt = stmt.where(DamageReport.status == status)
    return paginate(stmt, page, per_page, keyset=(DamageReport.created_at, DamageReport.id), after=after)


def newest_verified(event: DisasterEvent, limit: int = 5) -> list[DamageReport]:
    """The disaster screen's newest verified reports: the same for every reader, so the page can be cached."""
    return list(db.session.scalars(
        select(DamageReport).where(DamageReport.event_id == event.id, DamageReport.status == VERIFIED,
                                   access.active_member(DamageReport.author_id))
        .order_by(DamageReport.created_at.desc(), DamageReport.id.desc()).limit(limit)))


def triage_queue(admin: Member, event: DisasterEvent, page: int, per_page: int) -> Page:
    """Unverified reports, oldest first: the admin works down the queue."""
    _require_admin(admin)
    stmt = (select(DamageReport).where(DamageReport.event_id == event.id, DamageReport.status == UNVERIFIED)
            .options(joinedload(DamageReport.author))
            .order_by(DamageReport.created_at, DamageReport.id))
    return paginate(stmt, page, per_page)


MAP_LIMIT = 500  # reports per map view, newest first: zoom in for the rest


def geojson(viewer: Member | None, event: DisasterEvent, *, bbox: tuple[float, float, float, float] | None = None,
            limit: int = MAP_LIMIT) -> dict:
    """Reports with a position, as GeoJSON for the map's report layer (ejan.features.MapLayer).

    One statement whatever the count: only what `visible_to` lets this viewer see (so 未確認 ones only
    for members and admins), inside the bounding box (min_lon, min_lat, max_lon, max_lat) when given,
    newest first, at most `limit`. Properties follow the map layer contract: `title`, `badge`
    (未確認 / 確認済み / …) and `muted` for the unverified; the caller adds each report's `url`."""
    stmt = (select(DamageReport.id, DamageReport.category, DamageReport.status, DamageReport.body,
                   DamageReport.lat, DamageReport.lon, DamageReport.created_at)
            .where(DamageReport.event_id == event.id, visible_to(viewer), DamageReport.lat.isnot(None),
                   DamageReport.lon.isnot(None)))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        stmt = stmt.where(DamageReport.lon.between(min_lon, max_lon), DamageReport.lat.between(min_lat, max_lat))
    rows = db.session.execute(stmt.order_by(DamageReport.created_at.desc(), DamageReport.id.desc()).limit(limit)).all()
    return {"type": "FeatureCollection", "numberReturned": len(rows), "features": [
        {"type": "Feature", "id": row.id, "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
         "properties": {"id": row.id, "category": row.category, "status": row.status,
                        "title": str(REPORT_CATEGORY.get(row.category, row.category)),
                        "badge": str(REPORT_STATUS.get(row.status, row.status)),
                        "muted": row.status == UNVERIFIED,
                        "text": row.body[:80], "created_at": row.created_at.isoformat()}}
        for row in rows]}


# --- writing ----------------------------------------------------------------------------------------------------

def _require_member(viewer: Member | None) -> None:
    if not access.is_active(viewer):
        raise Forbidden(_("ログインしてください。"))


def _require_admin(viewer: Member | None) -> None:
    if not (access.is_active(viewer) and viewer.is_admin):
        raise Forbidden(_("この操作は管理者だけができます。"))


def _position(lat, lon) -> tuple[float, float] | None:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses nan and inf
        return None
    return lat, lon


def check_report(category, body, *, lat=None, lon=None, district=None, address="") -> None:
    """The rules for a report's words and place; raises every problem at once."""
    problems = Problems()
    _check(problems, category, body, lat, lon, district, address, has_photo_position=False)
    problems.raise_any()


def _check(problems: Problems, category, body, lat, lon, district, address, *, has_photo_position: bool):
    if category not in REPORT_CATEGORIES:
        problems.add(_("種類を選んでください。"), "category")
    body = (body or "").strip()
    if not body:
        problems.add(_("状況を入力してください。"), "body")
    elif len(body) > MAX_BODY:
        problems.add(_("状況は%(count)d文字以内で入力してください。", count=MAX_BODY), "body")
    if district and district not in DISTRICTS:
        problems.add(_("地区を一覧から選んでください。"), "district")
    if len((address or "").strip()) > 100:
        problems.add(_("住所・目印は100文字以内で入力してください。"), "address")
    given = lat not in (None, "") or lon not in (None, "")
    position = _position(lat, lon) if given else None
    if given and position is None:
        problems.add(_("位置が読み取れません。地図をもう一度クリックするか、地区と住所を入力してください。"), "place")
    elif position is not None and not inside_city(*position):
        problems.add(_("その場所は掛川市の外です。市内の場所を選んでください。"), "place")
    elif position is None and not district and not has_photo_position:
        problems.add(_("場所を地図で選ぶか、地区を選んでください。"), "place")
    return body, position


def create_report(author: Member, event: DisasterEvent, *, category, body, lat=None, lon=None, district=None,
                  address="", photo: BinaryIO | bytes | None = None, submit_token: str | None = None) -> DamageReport:
    _require_member(author)
    if not event.is_active:
        raise Invalid(_("この災害は終了しました。"))
    token = form_token(submit_token)
    earlier = earlier_submission(DamageReport, author.id, token)
    if earlier is not None:
        return earlier
    data = None
    if photo is not None:
        data = photo if isinstance(photo, (bytes, bytearray)) else photo.read(media.MAX_BYTES + 1)
        data = bytes(data) or None
    photo_position = media.gps_position(data) if data else None
    if photo_position is not None and not inside_city(*photo_position):
        photo_position = None  # a photo taken elsewhere says nothing about this place
    problems = Problems()
    body, position = _check(problems, category, body, lat, lon, district, address,
                            has_photo_position=photo_position is not None)
    stored = None
    if data and not problems:
        try:
            stored = media.store_image(data, current_app.config["EJAN_MEDIA_DIR"])
        except Invalid as error:
            problems.add(error.message, "photo")
    problems.raise_any()
    position = position or photo_position
    report = DamageReport(event_id=event.id, author_id=author.id, category=category, body=body,
                          district=district or None, address=(address or "").strip(),
                          lat=position[0] if position else None, lon=position[1] if position else None,
                          image_key=stored.key if stored else None, submit_token=token, created_at=utcnow())
    db.session.add(report)
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the first one stands
        db.session.rollback()
        if stored:
            media.delete_image(current_app.config["EJAN_MEDIA_DIR"], stored.key)
        return earlier_submission(DamageReport, author.id, token)
    return report


def triage(admin: Member, report_id: int, status: str) -> DamageReport:
    """確認済み / 対応済み / 非表示 (or back to 未確認)."""
    _require_admin(admin)
    if status not in REPORT_STATUSES:
        raise Invalid(_("状態を選んでください。"), code="status")
    report = get_report(admin, report_id)
    _set_status(admin, report.id, status)
    signals.admin_acted.send(admin, action="disaster.triage", target_kind="damage_report", target_id=report.id,
                             detail=status)
    db.session.commit()
    db.session.refresh(report)
    return report


def _set_status(admin: Member, report_id: int, status: str) -> None:
    db.session.execute(update(DamageReport).where(DamageReport.id == report_id)
                       .values(status=status, triaged_at=utcnow(), triaged_by_id=admin.id)
                       .execution_options(synchronize_session=False))


def hide_for_tsuho(actor: Member, report_id: int) -> None:
    """A 通報 upheld: the report is hidden, as triage would (ejan/reports/moderation.py decided; the caller commits)."""
    _set_status(actor, report_id, HIDDEN)


def counts(event: DisasterEvent) -> dict:
    """For the archive: reports by category and by status."""
    by_category = dict(db.session.execute(select(DamageReport.category, func.count()).where(
        DamageReport.event_id == event.id).group_by(DamageReport.category)).all())
    by_status = dict(db.session.execute(select(DamageReport.status, func.count()).where(
        DamageReport.event_id == event.id).group_by(DamageReport.status)).all())
    return {"category": by_category, "status": by_status}


def unverified_count(event: DisasterEvent) -> int:
    return db.session.scalar(select(func.count()).select_from(DamageReport).where(
        DamageReport.event_id == event.id, DamageReport.status == UNVERIFIED)) or 0


def all_of(event: DisasterEvent):
    """Every report of an event, oldest first, streamed (the archive's CSV)."""
    return db.session.scalars(select(DamageReport).where(DamageReport.event_id == event.id)
                              .order_by(DamageReport.created_at, DamageReport.id)
                              .execution_options(yield_per=500))
