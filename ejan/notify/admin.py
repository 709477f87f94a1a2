"""What admins see of notifications: broadcasts' progress, failed deliveries, bounced addresses."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import signals
from ..clock import utcnow
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from . import delivery, heartbeat
from .models import Broadcast, Delivery


def require_admin(viewer) -> None:
    if not (access.is_active(viewer) and viewer.is_admin):
        raise Forbidden(_("管理者だけが見られるページです。"))


def broadcasts(viewer, page: int, per_page: int) -> Page:
    require_admin(viewer)
    return paginate(select(Broadcast).where(Broadcast.is_audience.is_(True))
                    .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()), page, per_page)


def broadcast(viewer, broadcast_id: int) -> Broadcast:
    require_admin(viewer)
    found = db.session.get(Broadcast, broadcast_id)
    if found is None:
        raise NotFound(_("一斉送信が見つかりません。"))
    return found


def failed_deliveries(viewer, broadcast_id: int, page: int, per_page: int) -> Page:
    require_admin(viewer)
    return paginate(select(Delivery.id, Delivery.address, Delivery.channel, Delivery.error, Member.nickname)
                    .join(Member, Member.id == Delivery.member_id)
                    .where(Delivery.broadcast_id == broadcast_id, Delivery.status == delivery.FAILED)
                    .order_by(Delivery.id), page, per_page, scalars=False)


def retry_failed(viewer, broadcast_id: int) -> int:
    """Queue a broadcast's failed mail again; returns how many batches were queued."""
    from .tasks import deliver_batch

    found = broadcast(viewer, broadcast_id)
    ranges = delivery.reopen_failed(found.id)
    signals.admin_acted.send(viewer, action="notify.retry", target_kind="broadcast", target_id=found.id,
                             detail=str(len(ranges)))
    db.session.commit()
    for lo, hi in ranges:
        deliver_batch.apply_async((found.id, lo, hi), queue=found.queue)
    return len(ranges)


def bounced(viewer, page: int, per_page: int) -> Page:
    require_admin(viewer)
    from . import bounces

    return bounces.bounced(page, per_page)


def workers_silent(viewer) -> bool:
    """The banner: only admins are told, and only when no worker has beaten for too long."""
    return bool(access.is_active(viewer) and viewer.is_admin and heartbeat.is_stale())


def progress_counts(hours: int = 24) -> dict[str, int]:
    """Deliveries of the last day's broadcasts by state (queued / sent / failed): one grouped, indexed count."""
    since = db.session.scalar(select(func.min(Broadcast.id)).where(Broadcast.created_at >= utcnow() - timedelta(hours=hours)))
    if since is None:
        return {}
    rows = db.session.execute(select(Delivery.status, func.count()).where(Delivery.broadcast_id >= since)
                              .group_by(Delivery.status))
    return {status: count for status, count in rows}
