"""The audit log: every administrator's act, readable by admins, changed by nobody.

Features announce an act with `signals.admin_acted.send(actor, action=…, target_kind=…, target_id=…,
detail=…)` inside the act's own transaction (so the row and the act are committed together, or neither);
the receiver here writes the row. `record()` is the same for code inside the admin package. There is no
function that updates or deletes a row, and the database refuses to (a trigger, see migration 0015_admin).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import signals
from ..errors import Forbidden
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from .models import AuditEntry

DETAIL_MAX = 2000


def record(actor: Member | None, action: str, target_kind: str = "", target_id: int | None = None,
           detail: str = "") -> AuditEntry:
    """Add one row to the audit log in the current transaction; the caller commits."""
    entry = AuditEntry(actor_id=getattr(actor, "id", None), actor_name=(getattr(actor, "nickname", "") or "")[:40],
                       action=action[:40], target_kind=(target_kind or "")[:30], target_id=target_id,
                       detail=(detail or "")[:DETAIL_MAX])
    db.session.add(entry)
    return entry


@signals.admin_acted.connect
def _on_admin_acted(actor, action: str, target_kind: str = "", target_id: int | None = None, detail: str = "",
                    **_extra) -> None:
    record(actor, action, target_kind, target_id, detail)


def require_admin(viewer) -> None:
    if not (access.is_active(viewer) and viewer.is_admin):
        raise Forbidden(_("管理者だけが見られるページです。"))


def entries(viewer, *, action: str | None = None, actor_id: int | None = None, target_kind: str | None = None,
            target_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
            page: int = 1, per_page: int = 20) -> Page:
    """The log, newest first, filtered by what the admin typed (the action matches as a prefix: "disaster")."""
    require_admin(viewer)
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if target_kind:
        stmt = stmt.where(AuditEntry.target_kind == target_kind)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.created_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.created_at < until)
    return paginate(stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), page, per_page)
