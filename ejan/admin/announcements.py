"""Announcements: site-wide notices on the top page for a period, optionally sent to every member."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import fields, i18n
from ..caching import forget, remembered
from ..clock import jst_day_bounds, utcnow
from ..errors import Invalid, NotFound, Problems
from ..extensions import db
from ..pagination import Page, paginate
from .audit import record, require_admin
from .models import Announcement

TITLE_MAX = 100
BODY_MAX = 2000
SHOWN_MAX = 3  # on the top page at once: the newest
SHOWN_SECONDS = 30
SHOWN_KEY = "announcements:shown"


def check(title: str, body: str, starts_on: date | None, ends_on: date | None) -> tuple[str, str]:
    problems = Problems()
    title = fields.title(problems, title, TITLE_MAX)
    body = fields.body(problems, body, BODY_MAX, required=False)
    if starts_on is None:
        problems.add(_("表示を始める日を入力してください。"), "starts_on")
    if ends_on is None:
        problems.add(_("表示を終える日を入力してください。"), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        problems.add(_("終わりの日は始まりの日より後にしてください。"), "ends_on")
    problems.raise_any()
    return title, body


def create(admin, *, title: str, body: str, starts_on: date | None, ends_on: date | None, broadcast: bool,
           submit_token: str | None = None) -> Announcement:
    """Post an announcement shown from the start of `starts_on` to the end of `ends_on` (Japan time).
    A form sent twice (the same submit_token) posts once."""
    require_admin(admin)
    title, body = check(title, body, starts_on, ends_on)
    if submit_token:
        earlier = db.session.scalar(select(Announcement).where(Announcement.submit_token == submit_token))
        if earlier is not None:
            return earlier
    starts_at, ends_at = jst_day_bounds(starts_on, ends_on)
    found = Announcement(title=title, body=body, starts_at=starts_at, ends_at=ends_at, broadcast=bool(broadcast),
                         author_id=admin.id, submit_token=submit_token or None)
    db.session.add(found)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(select(Announcement).where(Announcement.submit_token == submit_token))
    record(admin, "announcements.create", "announcement", found.id, title)
    db.session.commit()
    forget(SHOWN_KEY)
    if found.broadcast:
        _broadcast(found)
    return found


def _broadcast(found: Announcement) -> None:
    from ..notify.api import Audience, notify

    notify(Audience(everyone=True), "official_notice", {
        "subject": found.title, "link": "/", "actor_id": None,
        "texts": {i18n.DEFAULT: {"title": found.title, "body": found.body}},
    })
    db.session.execute(update(Announcement).where(Announcement.id == found.id).values(broadcast_at=utcnow()))
    db.session.commit()


def end_now(admin, announcement_id: int) -> Announcement:
    """Take an announcement off the top page before its period is over."""
    require_admin(admin)
    found = db.session.get(Announcement, announcement_id)
    if found is None:
        raise NotFound(_("お知らせが見つかりません。"))
    now = utcnow()
    if found.ends_at <= now:
        raise Invalid(_("このお知らせはすでに表示を終えています。"))
    found.ends_at = now
    record(admin, "announcements.end", "announcement", found.id, found.title)
    db.session.commit()
    forget(SHOWN_KEY)
    return found


def all_of(admin, page: int, per_page: int) -> Page:
    require_admin(admin)
    return paginate(select(Announcement).order_by(Announcement.starts_at.desc(), Announcement.id.desc()),
                    page, per_page)


def current() -> list[dict]:
    """What the top page shows now, newest first, as {"title", "body"}.

    The same for every reader of the busiest page, so it is kept SHOWN_SECONDS (one statement fewer on
    every top page); posting or ending an announcement forgets it at once (in this process, or in every
    one when the cache is Redis). A period's end shows at most SHOWN_SECONDS late."""
    def compute():
        now = utcnow()
        return [{"title": a.title, "body": a.body} for a in db.session.scalars(
            select(Announcement).where(Announcement.starts_at <= now, Announcement.ends_at > now)
            .order_by(Announcement.starts_at.desc(), Announcement.id.desc()).limit(SHOWN_MAX))]
    return remembered(SHOWN_KEY, SHOWN_SECONDS, compute)
