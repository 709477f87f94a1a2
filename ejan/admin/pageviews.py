"""Page views per day and device class, and who was active in a month: counted cheaply.

Each web process adds up its page views in memory (ejan/batching.py) and writes them in one upsert per
(day, device) every FLUSH_SECONDS or FLUSH_VIEWS views (and at exit), so a page view costs no write of its
own. A member is written as active once per month per process (an insert that ignores a row already
there). A process that dies loses at most its last few seconds of counts, which monthly figures can bear.
"""
from __future__ import annotations

from datetime import date

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import func, select

from .. import batching
from ..clock import today_jst
from ..extensions import db
from .models import ActiveMonth, PageViewDay

DEVICES = ("pc", "smartphone", "keitai")
FLUSH_SECONDS = 30
FLUSH_VIEWS = 200
SEEN_MAX = 200_000  # members remembered as already written this month, per process
VIEW, ACTIVE = "view", "active"

_seen: set[tuple[str, int]] = set()


def _write(conn, items: dict) -> None:
    insert = batching.insert_for(conn)
    for (_kind, day, device), n in sorted((key, n) for key, n in items.items() if key[0] == VIEW):
        stmt = insert(PageViewDay).values(day=day, device=device, views=n)
        conn.execute(stmt.on_conflict_do_update(index_elements=["day", "device"],
                                                set_={"views": PageViewDay.views + stmt.excluded.views}))
    active = sorted((month, member_id) for kind, month, member_id in items if kind == ACTIVE)
    if active:
        stmt = insert(ActiveMonth).values([{"month": m, "member_id": i} for m, i in active])
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["month", "member_id"]))


# Views add up per (day, device); an active member is one key per month. A database away keeps them all
# for the next flush.
_batch = batching.Batch("page views", _write, merge=lambda old, new: None if old is None else old + new,
                        seconds=FLUSH_SECONDS, size=FLUSH_VIEWS)


def count(device: str, member_id: int | None, day: date | None = None) -> bool:
    """Count one page view; True when it is time to flush."""
    day = day or today_jst()
    month = day.strftime("%Y-%m")
    if member_id is not None and (month, member_id) not in _seen:
        if len(_seen) > SEEN_MAX:
            _seen.clear()
        _seen.add((month, member_id))
        _batch.add((ACTIVE, month, member_id))
    return _batch.add((VIEW, day, device if device in DEVICES else "pc"), 1)


def flush(engine=None) -> int:
    """Write what this process has counted since the last flush; returns the views written."""
    return sum(n for (kind, *_), n in _batch.flush(engine).items() if kind == VIEW)


def reset() -> None:
    """Forget everything counted and not yet written, and start the clock of the next flush again (tests)."""
    _seen.clear()
    _batch.reset()


def _is_page(response) -> bool:
    return (request.method == "GET" and request.endpoint not in (None, "static", "favicon")
            and response.status_code < 400 and response.mimetype == "text/html")


def init_app(app: Flask) -> None:
    @app.after_request
    def _count_page_view(response):
        if app.config.get("EJAN_COUNT_PAGE_VIEWS", True) and _is_page(response):
            member_id = current_user.id if current_user.is_authenticated else None
            if count(request.device.kind, member_id):
                try:
                    flush()
                except Exception:  # never fail a page over its statistics
                    app.logger.exception("page view counts not written; kept for the next flush")
        return response

    batching.install(app)


def views_per_month(since: date | None = None) -> dict[str, dict[str, int]]:
    """{"YYYY-MM": {device: views}}: one grouped query over the daily rows."""
    month = _month_of_date(PageViewDay.day)
    stmt = select(month, PageViewDay.device, func.sum(PageViewDay.views)).group_by(month, PageViewDay.device)
    if since is not None:
        stmt = stmt.where(PageViewDay.day >= since)
    result: dict[str, dict[str, int]] = {}
    for m, device, n in db.session.execute(stmt):
        result.setdefault(m, {})[device] = int(n or 0)
    return result


def active_per_month() -> dict[str, int]:
    rows = db.session.execute(select(ActiveMonth.month, func.count()).group_by(ActiveMonth.month))
    return {m: int(n) for m, n in rows}


def _month_of_date(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)
