"""What to do about one telegram: a pure function of the telegram, the settings and what is stored.

The actions are the words the operator reads (`flask ejan jma-ingest` prints them, the admin page
lists them): started, updated, drill, ignored, cancelled, refused. The reason is one line of plain
text for the operator's log, naming JMA's own terms as the telegram wrote them.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import jma

STARTED, UPDATED, DRILL, IGNORED, CANCELLED, REFUSED = "started", "updated", "drill", "ignored", "cancelled", "refused"
ACTIONS = (STARTED, UPDATED, DRILL, IGNORED, CANCELLED, REFUSED)
DEFAULT_THRESHOLD = "5-"


@dataclass(frozen=True)
class Known:
    """What the site holds for one JMA EventID: the newest telegram read and the event it started."""
    latest: tuple | None = None  # Telegram.order_key of the newest telegram read for this EventID
    event_id: int | None = None  # the disaster event it started, if any
    drill: bool = False  # that event is a drill
    active: bool = False  # that event is still running
    confirmed: bool = False  # an admin has confirmed it (it is no longer "automatic, unconfirmed")
    cancelled: bool = False  # a 取消 already called it off


@dataclass(frozen=True)
class Active:
    """The event running on the site now, if it is not this EventID's."""
    event_id: int
    drill: bool


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str
    drill: bool = False  # start or update a drill (訓練) rather than a real event


def decide(telegram: jma.Telegram, *, threshold: str = DEFAULT_THRESHOLD, drills: bool = False,
           known: Known = Known(), active: Active | None = None) -> Decision:
    threshold = jma.normalize_intensity(threshold) or DEFAULT_THRESHOLD
    if telegram.status == jma.STATUS_TEST:
        return Decision(IGNORED, f"{telegram.status} (test) telegram")
    drill = telegram.status == jma.STATUS_DRILL
    if drill and not drills:
        return Decision(IGNORED, f"{telegram.status} (drill) telegram; drills from telegrams are off")
    if known.latest is not None and telegram.order_key <= known.latest:
        return Decision(IGNORED, f"superseded: a later telegram of EventID {telegram.event_id} was already read")
    if telegram.info_type == jma.INFO_CANCEL:
        return _cancellation(telegram, known)

    if known.event_id is not None:
        if known.cancelled or not known.active:
            state = "cancelled" if known.cancelled else "ended"
            return Decision(IGNORED, f"event #{known.event_id} of EventID {telegram.event_id} already {state}")
        return Decision(UPDATED, f"event #{known.event_id}: {_intensity_phrase(telegram)}", drill=known.drill)

    if jma.rank(telegram.intensity) < jma.rank(threshold):
        if telegram.intensity is None:
            return Decision(IGNORED, f"{jma.CITY_NAME} not listed (below {threshold})")
        return Decision(IGNORED, f"{_intensity_phrase(telegram)} below {threshold}")
    reason = f"{_intensity_phrase(telegram)} reaches {threshold}"
    if active is not None:
        # One event at a time, and only a person ends one (a drill too): the admin on duty decides.
        kind = "drill" if active.drill else "event"
        return Decision(IGNORED, f"{reason}, but {kind} #{active.event_id} is already active")
    return Decision(DRILL if drill else STARTED, reason, drill=drill)


def _cancellation(telegram: jma.Telegram, known: Known) -> Decision:
    if known.event_id is None:
        return Decision(IGNORED, f"{telegram.info_type}: nothing was started for EventID {telegram.event_id}")
    if known.cancelled or not known.active:
        return Decision(IGNORED, f"{telegram.info_type}: event #{known.event_id} already ended")
    if known.confirmed:
        return Decision(IGNORED, f"{telegram.info_type}: event #{known.event_id} was confirmed by an admin; "
                                 "left running for the admin to end")
    return Decision(CANCELLED, f"{telegram.info_type}: automatic event #{known.event_id} "
                               f"of EventID {telegram.event_id} called off", drill=known.drill)


def _intensity_phrase(telegram: jma.Telegram) -> str:
    if telegram.intensity is None:
        return f"{jma.CITY_NAME} not listed"
    return f"{telegram.intensity_place} intensity {telegram.intensity}"
