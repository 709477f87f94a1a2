"""Celery tasks for delivery; retried, because mail servers have bad minutes.

Every task here is safe to run twice (acks_late: a worker that dies mid-task leaves its message to be
delivered again): the fan-out only queues batches, and a batch sends nothing its delivery rows say
was sent. Retries back off exponentially with full jitter, so a mail server coming back is not hit
by every batch at the same second.
"""
from __future__ import annotations

import random
import smtplib

from flask import current_app

from ..extensions import celery, db
from ..mail import build_message, deliver
from . import delivery, digest, heartbeat
from .models import Broadcast


@celery.task(
    name="ejan.notify.send_mail",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    acks_late=True,
)
def send_mail(to: str, template: str, context: dict, language: str | None = None) -> None:
    deliver(build_message(to, template, context, language), to)


def backoff(retries: int) -> float:
    """Full jitter: anywhere between 0 and base·2^retries seconds, capped."""
    config = current_app.config
    return random.uniform(0, min(config["EJAN_MAIL_RETRY_MAX_SECONDS"], config["EJAN_MAIL_RETRY_BASE_SECONDS"] * 2 ** retries))


@celery.task(name="ejan.notify.fan_out", acks_late=True, reject_on_worker_lost=True)
def fan_out(broadcast_id: int) -> int:
    """Queue one batch task per few hundred recipients, by id range, on the broadcast's queue."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return 0
    ranges = list(delivery.batch_ranges(broadcast))
    broadcast.batches = len(ranges)
    db.session.commit()
    for lo, hi in ranges:
        deliver_batch.apply_async((broadcast_id, lo, hi), queue=broadcast.queue)
    return len(ranges)


@celery.task(name="ejan.notify.deliver_batch", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_batch(self, broadcast_id: int, lo: int, hi: int) -> dict:
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return {}
    delivery.plan_batch(broadcast, lo, hi)
    tries = self.request.retries
    while True:
        try:
            result = delivery.send_batch(broadcast, lo, hi)
            break
        except delivery.Transient as exc:
            db.session.rollback()
            if tries >= current_app.config["EJAN_MAIL_RETRIES"]:
                delivery.give_up(broadcast_id, lo, hi, f"gave up after {tries + 1} tries: {exc}")
                return {"gave_up": str(exc)}
            if not self.request.is_eager:
                raise self.retry(countdown=backoff(tries), exc=exc)
            tries += 1  # in the web process (embedded site, tests) there is no later: try again now
    if result.leased_elsewhere:
        # Rows another worker claimed: it is sending them, or died doing so. Look again once its lease ends.
        deliver_batch.apply_async((broadcast_id, lo, hi), queue=broadcast.queue,
                                  countdown=current_app.config["EJAN_MAIL_CLAIM_SECONDS"] + 1)
    return {"sent": result.sent, "failed": result.failed, "leased": result.leased_elsewhere}


@celery.task(name="ejan.notify.send_digests", acks_late=True)
def send_digests() -> int:
    return digest.send_all()


@celery.task(name="ejan.notify.heartbeat", ignore_result=True)
def beat() -> None:
    heartbeat.record(beat.request.hostname or "worker")
