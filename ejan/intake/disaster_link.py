"""The one module where intake meets the disaster feature: its events and its damage reports.

Intake never touches the disaster tables; it asks ejan.disaster's services, as an admin's page would,
with by=None (the site itself) and automatic=True. Everything disaster-specific intake needs is here,
so a change of that feature's API is a change of this file.
"""
from __future__ import annotations

from ..disaster import events
from ..disaster import reports as damage_reports
from ..errors import NotFound
from .decide import Active, Known
from .models import JmaEvent

KIND = "earthquake"
SOURCE_PREFIX = "jma:"


class Busy(Exception):
    """Another event became active between the decision and the start (an admin, another telegram)."""

    def __init__(self, event_id: int | None):
        super().__init__(event_id)
        self.event_id = event_id


def _event(event_id: int | None):
    if event_id is None:
        return None
    try:
        return events.event_for(event_id)
    except NotFound:  # a drill removed with its data
        return None


def known(row: JmaEvent) -> Known:
    event = _event(row.disaster_event_id)
    return Known(latest=row.latest, event_id=row.disaster_event_id, drill=row.drill,
                 active=event is not None and event.is_active,
                 confirmed=event is not None and event.confirmed_at is not None,
                 cancelled=row.cancelled)


def active_other(row: JmaEvent) -> Active | None:
    event = events.active_event()
    if event is None or event.id == row.disaster_event_id:
        return None
    return Active(event_id=event.id, drill=event.drill)


def start(jma_event_id: str, title: str, texts: dict, *, drill: bool) -> int:
    try:
        event = events.start_event(title, KIND, [], texts, by=None, drill=drill, automatic=True,
                                   source_ref=SOURCE_PREFIX + jma_event_id)
    except events.EventActive as error:
        raise Busy(error.event.id if error.event is not None else None) from None
    return event.id


def update(event_id: int, title: str, texts: dict | None) -> None:
    """A later telegram: the title follows the newest intensity; a notice goes out when it says something new."""
    event = _event(event_id)
    if event is None or not event.is_active:
        return
    if event.title != title:
        events.update_event(event, title=title)
    if texts is not None:
        events.post_notice(event, texts)


def cancel(event_id: int, reason: str, correction: dict) -> bool:
    """A 取消: the correction is broadcast while the event still runs (its first notice already went
    out to everyone), then the event is called off. False when an admin confirmed it meanwhile."""
    event = _event(event_id)
    if event is None or not event.is_active or event.confirmed_at is not None:
        return False
    events.post_notice(event, correction)
    return events.cancel_automatic(event, reason)


# --- damage reports by mail ----------------------------------------------------------------------------------

def active_event_for_reports():
    """The event a mailed report belongs to, or None: no disaster mode, no reports."""
    return events.active_event()


def post_report(member, event, *, category: str, body: str, photo: bytes | None, district: str | None,
                token: str) -> int:
    """A mailed report, through the same rules as the form's (place, photo, EXIF position then stripped).
    It starts 未確認 like every report: From: can be forged. `token` makes a redelivered mail one report."""
    report = damage_reports.create_report(member, event, category=category, body=body, photo=photo,
                                          district=district, submit_token=token)
    return report.id
