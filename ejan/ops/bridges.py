"""Facts that belong to features which do not declare them yet (Feature.facts), read where they live.

Notifications keep the worker heartbeat and the broadcasts; disaster mode knows whether an event is
in force. Until those features declare their own `facts`, these readers ask them, imported when read
so the site runs (and reports "unknown") without them. When a feature declares a fact itself, the
reader here goes (two declarations of one name stop the app).
"""
from __future__ import annotations

from datetime import datetime, timezone
from importlib import import_module


def _optional(module: str):
    try:
        return import_module(module)
    except ImportError:
        return None


def worker_heartbeat_age() -> float | None:
    """Seconds since a Celery worker last beat (ejan.notify.heartbeat), None when unknown."""
    heartbeat = _optional("ejan.notify.heartbeat")
    last = heartbeat.last_beat() if heartbeat and hasattr(heartbeat, "last_beat") else None
    if last is None:
        return None
    now = datetime.now(timezone.utc)
    if last.tzinfo is None:  # stored times are naive UTC (ejan/clock.py)
        now = now.replace(tzinfo=None)
    return max(0.0, round((now - last).total_seconds(), 1))


def disaster_active() -> bool | None:
    """Whether a disaster event is in force (ejan.disaster.events), None when the feature is absent."""
    events = _optional("ejan.disaster.events")
    if events is None or not hasattr(events, "active_event"):
        return None
    return events.active_event() is not None


def broadcast_progress() -> dict | None:
    """Deliveries of the broadcasts under way by state (queued / sent / failed), when notify says."""
    for name in ("ejan.notify.broadcasts", "ejan.notify.broadcast"):
        module = _optional(name)
        reader = getattr(module, "progress_counts", None) if module else None
        if reader is not None:
            return dict(reader())
    return None
