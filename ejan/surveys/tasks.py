"""Surveys' periodic work: announcing scheduled surveys when their time comes (Celery beat, every 5 minutes)."""
from __future__ import annotations

from ..extensions import celery


@celery.task(name="ejan.surveys.announce_due")
def announce_due() -> int:
    from .builder import announce_due as announce

    return announce()
