"""Events after the fact, for admins: the list, a summary for the council report, its CSV, and
removing a drill with everything posted in it."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import media, signals
from ..clock import to_jst
from ..errors import Forbidden, Invalid
from ..extensions import db
from ..members import access
from ..pagination import Page, paginate
from . import checkins, events, reports
from .models import DamageReport, DisasterEvent, DisasterLogEntry, DisasterNotice


def _require_admin(viewer) -> None:
    if not (access.is_active(viewer) and viewer.is_admin):
        raise Forbidden(_("この操作は管理者だけができます。"))


def events_page(admin, page: int, per_page: int) -> Page:
    _require_admin(admin)
    return paginate(select(DisasterEvent).order_by(DisasterEvent.started_at.desc(), DisasterEvent.id.desc()),
                    page, per_page)


def summary(admin, event_id: int) -> dict:
    _require_admin(admin)
    event = events.event_for(event_id)
    return {
        "event": event,
        "notices": list(db.session.scalars(select(DisasterNotice).where(DisasterNotice.event_id == event.id)
                                           .order_by(DisasterNotice.posted_at, DisasterNotice.id))),
        "log": list(db.session.scalars(select(DisasterLogEntry).where(DisasterLogEntry.event_id == event.id)
                                       .order_by(DisasterLogEntry.at, DisasterLogEntry.id))),
        "reports": reports.counts(event),
        "checkins": checkins.status_counts(event),
    }


CSV_HEADER = ("id", "created_at_jst", "category", "status", "district", "address", "lat", "lon", "text",
              "photo", "author_id")


def reports_csv(admin, event_id: int) -> Iterator[str]:
    """Every report of the event, one row each, streamed (UTF-8 with BOM so Excel reads the Japanese)."""
    _require_admin(admin)
    event = events.event_for(event_id)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_HEADER)
        for report in reports.all_of(event):
            writer.writerow((report.id, to_jst(report.created_at).strftime("%Y-%m-%d %H:%M"), report.category,
                             report.status, report.district or "", _cell(report.address),
                             report.lat if report.lat is not None else "",
                             report.lon if report.lon is not None else "", _cell(report.body),
                             "1" if report.image_key else "", report.author_id))
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
    return rows()


def _cell(text: str) -> str:
    """A spreadsheet takes a cell starting with = + - @ as a formula: residents' words stay words."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def remove_drill(admin, event_id: int) -> None:
    """A drill's data is kept apart: once it has ended it can be removed whole (photos too)."""
    _require_admin(admin)
    event = events.event_for(event_id)
    if not event.drill:
        raise Invalid(_("訓練ではない災害の記録は削除できません。"))
    if event.is_active:
        raise Invalid(_("実行中の訓練は削除できません。先に終了してください。"))
    keys = list(db.session.scalars(select(DamageReport.image_key).where(
        DamageReport.event_id == event.id, DamageReport.image_key.isnot(None))))
    for model in (checkins.SafetyCheckIn, DamageReport, DisasterNotice, DisasterLogEntry):
        db.session.execute(delete(model).where(model.event_id == event.id))
    db.session.execute(delete(DisasterEvent).where(DisasterEvent.id == event.id))
    signals.admin_acted.send(admin, action="disaster.remove_drill", target_kind="disaster_event", target_id=event.id,
                             detail=event.title)
    db.session.commit()
    for key in keys:
        media.delete_image(current_app.config["EJAN_MEDIA_DIR"], key)
