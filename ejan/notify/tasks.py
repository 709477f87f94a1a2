"""Celery tasks for delivery; retried, because mail servers have bad minutes."""
from __future__ import annotations

import smtplib

from ..extensions import celery
from ..mail import build_message, deliver


@celery.task(
    name="ejan.notify.send_mail",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_mail(to: str, template: str, context: dict, language: str | None = None) -> None:
    deliver(build_message(to, template, context, language))
