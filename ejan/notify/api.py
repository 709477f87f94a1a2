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
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from sqlalchemy import select

from .. import i18n
from ..extensions import db
from ..members import access
from ..members.models import Member


@dataclass(frozen=True)
class Audience:
    """Who a broadcast reaches: every active member, those of some districts, or a community's."""
    everyone: bool = False
    districts: tuple[str, ...] = ()
    community_id: int | None = None

    def member_ids_statement(self):
        stmt = select(Member.id).where(access.active()).order_by(Member.id)
        if self.districts:
            stmt = stmt.where(Member.district.in_(self.districts))
        if self.community_id is not None:
            from ..communities.models import JOINED, Membership

            stmt = stmt.where(Member.id.in_(select(Membership.member_id).where(
                Membership.community_id == self.community_id, Membership.role.in_(JOINED))))
        return stmt


def notify(recipients: Iterable[int] | Audience, kind: str, payload: Mapping | None = None) -> None:
    from .models import Notification
    from .services import queue_mail

    payload = dict(payload or {})
    if isinstance(recipients, Audience):
        member_ids = list(db.session.scalars(recipients.member_ids_statement()))
    else:
        member_ids = sorted(set(recipients))
    db.session.add_all(
        Notification(member_id=member_id, kind=kind, actor_id=payload.get("actor_id"),
                     link=payload.get("link", ""), subject=(payload.get("subject") or "")[:100])
        for member_id in member_ids
    )
    db.session.commit()
    template = payload.get("mail")
    if template:
        members = db.session.execute(select(Member.email, Member.nickname, Member.language)
                                     .where(Member.id.in_(member_ids))).all()
        for email, nickname, language in members:
            queue_mail(email, template, language=language or i18n.DEFAULT,
                       nickname=nickname, **payload.get("context", {}))
