"""Reading in-app notifications, and queueing one-off mail (invitations, password resets) that is
not a notification kind. Notifications themselves are made by api.notify()."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..clock import utcnow
from .. import i18n
from ..dbutil import commit_keeping_loaded
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from .models import Notification
from .tasks import send_mail


def queue_mail(to: str, template: str, *, language: str | None = None, **context) -> None:
    """Hand a mail to Celery; call it after the database commit the mail speaks of.

    `language` is the reader's; without one the mail speaks the language of the page that sent it.
    """
    send_mail.delay(to, template, context, i18n.valid(language) or i18n.current().code)


def unread_count(member: Member) -> int:
    return db.session.scalar(unread_count_query(member))


def unread_count_query(member: Member):
    return select(func.count(Notification.id)).where(Notification.member_id == member.id,
                                                     Notification.read_at.is_(None))


def notifications_for(member: Member, page: int, per_page: int) -> Page:
    stmt = (
        select(Notification)
        .where(Notification.member_id == member.id)
        .options(joinedload(Notification.actor))  # one actor per row (or none): in the same statement
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(stmt, page, per_page)


def mark_read(member_id: int, kind: str, *, actor_id: int | None = None) -> None:
    """Mark one member's unread notifications of one kind (from one actor) read: what they spoke of is done."""
    stmt = update(Notification).where(Notification.member_id == member_id, Notification.kind == kind,
                                      Notification.read_at.is_(None))
    if actor_id is not None:
        stmt = stmt.where(Notification.actor_id == actor_id)
    db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


def mark_all_read(member: Member) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.member_id == member.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    commit_keeping_loaded()  # called after the page is rendered: nothing shown needs reading again
