"""The one way a feature tells members something: notify(recipients, kind, payload).

This is the contract every feature codes against (surveys, maps, disaster, admin):

    notify([member_id, ...], "survey_opened", {"subject": survey.title, "link": "/surveys/3",
                                               "actor_id": creator.id, "mail": "survey_opened",
                                               "context": {"title": survey.title}})
    notify(Audience(everyone=True), "disaster_broadcast", {...})
    notify(Audience(districts=("大東", "大須賀")), "official_notice", {...})
    notify(Audience(community_id=7), "survey_opened", {...})

recipients: member ids, or an Audience that the fan-out resolves by id ranges.
kind:       a notification kind some installed feature declares (Feature.notifications).
payload:    plain JSON-able values only (it travels through Celery):
  subject   the thing's title as it is now (≤ 100 characters shown in the list)
  link      the site path the notification leads to
  actor_id  the member who caused it, or None for the site itself
  mail      optional: the template trio under templates/email/ (<name>.subject.txt, .txt, .html),
            rendered in each recipient's language with `context` plus `nickname`
  context   optional: values for the mail template
  texts     optional: {language: {"title": ..., "body": ...}} for official notices and disaster
            broadcasts; each member gets their own language, else Japanese
  drill     optional: True marks every page and mail of a drill 訓練

What happens behind it (docs/notify.md): a Broadcast row; for a handful of member ids the in-app
notices are written at once, otherwise a Celery fan-out writes them in batches of a few hundred by id
range; each member's preferences per kind and channel (in-app, PC mail, keitai mail; daily digest for
chatty kinds) decide the rest, except for mandatory kinds; mail always leaves from a Celery worker,
once per (broadcast, member, channel); disaster broadcasts travel on their own queue.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from flask import current_app

from . import delivery, tasks
from .audience import Audience

__all__ = ["Audience", "notify"]


def notify(recipients: Iterable[int] | Audience, kind: str, payload: Mapping | None = None) -> None:
    payload = dict(payload or {})
    if isinstance(recipients, Audience):
        broadcast = delivery.create_broadcast(kind, payload, audience=recipients)
    else:
        member_ids = sorted({int(i) for i in recipients})
        if not member_ids:
            return
        broadcast = delivery.create_broadcast(kind, payload, member_ids=member_ids)
        if len(member_ids) <= current_app.config["EJAN_NOTIFY_INLINE_MAX"]:
            # A handful of readers (a friend request, a comment's followers): their in-app notices are
            # there when the page that caused them returns; the mail still leaves from a worker.
            lo, hi = member_ids[0], member_ids[-1]
            if delivery.plan_batch(broadcast, lo, hi):
                tasks.deliver_batch.apply_async((broadcast.id, lo, hi), queue=broadcast.queue)
            return
    tasks.fan_out.apply_async((broadcast.id,), queue=broadcast.queue)
