"""Are the Celery workers alive? A periodic task (Celery beat, every EJAN_HEARTBEAT_SECONDS) records a
beat; when the last one is too old, admins see a banner saying notifications are not being sent.

`last_beat()` is what operations reads (its age goes into /readyz).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..clock import utcnow
from ..dbutil import add_once
from ..extensions import db
from .models import WorkerHeartbeat


def record(worker: str) -> None:
    now = utcnow()
    worker = worker[:200]
    if not db.session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker)
                              .values(beat_at=now).execution_options(synchronize_session=False)).rowcount:
        db.session.rollback()
        if add_once(WorkerHeartbeat(worker=worker, beat_at=now)):
            return
        db.session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker).values(beat_at=now))
    db.session.commit()


def last_beat() -> datetime | None:
    """When any worker last beat, in naive UTC like every stored time (ejan/clock.py); None: never."""
    return db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))


def workers_run_inline() -> bool:
    """The embedded site runs tasks in the web process: there is no worker to miss."""
    return bool(current_app.config["CELERY"].get("task_always_eager"))


def is_stale(now: datetime | None = None) -> bool:
    if workers_run_inline():
        return False
    last = last_beat()
    limit = timedelta(seconds=current_app.config["EJAN_HEARTBEAT_STALE_SECONDS"])
    return last is None or (now or utcnow()) - last > limit


def schedule(app, celery) -> None:
    """Put the heartbeat and the daily digest on Celery beat's schedule."""
    from celery.schedules import crontab

    from ..tasks import on_beat

    on_beat("ejan.notify.heartbeat", "ejan.notify.heartbeat", app.config["EJAN_HEARTBEAT_SECONDS"])
    # 22:00 UTC is 07:00 in Japan: the day's digest arrives with breakfast, not in the night.
    on_beat("ejan.notify.send_digests", "ejan.notify.send_digests", crontab(hour=22, minute=0))


def age_seconds() -> float | None:
    """Seconds since a worker last beat, for /readyz and /metrics; None: no beat ever recorded."""
    last = last_beat()
    return None if last is None else max(0.0, round((utcnow() - last).total_seconds(), 1))
