"""Working the 通報 queue: who may act on which 通報, and what each outcome does.

Administrators work the whole queue (under /admin); a community's owner and moderators work the 通報
about things written in their community (from the community's own pages). An outcome settles every open
通報 about the same thing at once, with one conditional UPDATE, so two moderators acting together act
once. Each reporter hears the outcome through notify; the author hears a warning; every act goes to the
audit log (signals.admin_acted).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from .. import signals
from ..clock import utcnow
from ..communities.access import runs
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from . import targets
from .models import DISMISS, HIDE, OPEN, OUTCOMES, RESOLVED, SUSPEND, WARN, Tsuho
from .targets import Target

NOTE_MAX = 500


def is_admin(actor: Member | None) -> bool:
    return access.is_active(actor) and actor.is_admin


def may_work(actor: Member | None, tsuho: Tsuho) -> bool:
    """Admins any 通報; a community's runners those about their community's things."""
    if not access.is_active(actor):
        return False
    return actor.is_admin or runs(actor.id, tsuho.community_id)


def outcomes_for(actor: Member | None, tsuho: Tsuho) -> tuple[str, ...]:
    """What the actor may do: suspending a member is for admins only; a profile cannot be hidden."""
    if tsuho.status != OPEN or not may_work(actor, tsuho):
        return ()
    kind = targets.kinds().get(tsuho.target_kind)
    allowed = [DISMISS, WARN]
    if kind is not None and kind.remove is not None:
        allowed.insert(0, HIDE)
    if actor.is_admin and tsuho.author_id is not None and tsuho.author_id != actor.id:
        allowed.append(SUSPEND)
    return tuple(allowed)


def require_community_runner(actor: Member | None, community_id: int) -> None:
    if not (access.is_active(actor) and runs(actor.id, community_id)):
        raise Forbidden(_("コミュニティの管理人と副管理人だけが見られるページです。"))


def queue(actor: Member | None, *, community_id: int | None = None, status: str = OPEN, kind: str | None = None,
          page: int = 1, per_page: int = 20) -> Page:
    """通報, oldest open first (newest first once settled). community_id: that community's part, for its runners;
    None: the whole queue, for admins."""
    if community_id is None:
        if not is_admin(actor):
            raise Forbidden(_("管理者だけが見られるページです。"))
    else:
        require_community_runner(actor, community_id)
    stmt = select(Tsuho).options(selectinload(Tsuho.reporter))
    stmt = stmt.where(Tsuho.status == (status if status in (OPEN, RESOLVED) else OPEN))
    if community_id is not None:
        stmt = stmt.where(Tsuho.community_id == community_id)
    if kind:
        stmt = stmt.where(Tsuho.target_kind == kind)
    if status == RESOLVED:
        stmt = stmt.order_by(Tsuho.resolved_at.desc(), Tsuho.id.desc())
    else:
        stmt = stmt.order_by(Tsuho.created_at, Tsuho.id)
    return paginate(stmt, page, per_page)


def get(actor: Member | None, tsuho_id: int, *, community_id: int | None = None) -> Tsuho:
    """One 通報 the actor may work; from a community's pages only that community's."""
    if community_id is None:
        if not is_admin(actor):
            raise Forbidden(_("管理者だけが見られるページです。"))
    else:
        require_community_runner(actor, community_id)
    tsuho = db.session.get(Tsuho, tsuho_id)
    if tsuho is None or (community_id is not None and tsuho.community_id != community_id):
        raise NotFound(_("通報が見つかりません。"))
    if not may_work(actor, tsuho):
        raise Forbidden(_("この通報を扱う権限がありません。"))
    return tsuho


def target_of(actor: Member, tsuho: Tsuho) -> Target | None:
    """The reported thing as the actor can see it now; None once it is gone (or hidden from them)."""
    kind = targets.kinds().get(tsuho.target_kind)
    if kind is None:
        return None
    try:
        return kind.lookup(actor, tsuho.target_id)
    except (NotFound, Forbidden):
        return None


def act(actor: Member, tsuho_id: int, outcome: str, note: str = "", *, community_id: int | None = None) -> int:
    """Settle every open 通報 about the same thing with `outcome`; returns how many were settled."""
    from ..members import services as members
    from ..notify.api import notify

    tsuho = get(actor, tsuho_id, community_id=community_id)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(_("メモは%(count)d文字以内にしてください。", count=NOTE_MAX), code="note")
    if outcome not in OUTCOMES or outcome not in outcomes_for(actor, tsuho):
        if tsuho.status != OPEN:
            raise Invalid(_("この通報はすでに対応済みです。"))
        raise Invalid(_("その対応はできません。"), code="outcome")
    found = target_of(actor, tsuho)
    subject = (found.label if found else targets.kind_label(tsuho.target_kind))[:100]
    same = (Tsuho.target_kind == tsuho.target_kind, Tsuho.target_id == tsuho.target_id, Tsuho.status == OPEN)
    reporters = list(db.session.scalars(select(Tsuho.reporter_id).where(*same)))
    settled = db.session.execute(
        update(Tsuho).where(*same).values(status=RESOLVED, outcome=outcome, resolved_at=utcnow(),
                                          resolved_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if not settled:  # someone else settled it a moment ago
        db.session.rollback()
        raise Invalid(_("この通報はすでに対応済みです。"))
    kind = targets.kinds()[tsuho.target_kind]
    if outcome == HIDE:
        kind.remove(actor, tsuho.target_id)
    signals.admin_acted.send(actor, action=f"tsuho.{outcome}", target_kind=tsuho.target_kind,
                             target_id=tsuho.target_id, detail=note or subject)
    author = db.session.get(Member, tsuho.author_id) if tsuho.author_id else None
    if outcome == SUSPEND and author is not None:
        members.suspend(actor, author, reason=note or subject)  # commits, with the settlement
    db.session.commit()
    db.session.expire(tsuho)
    link = None
    if found is not None and outcome != HIDE:
        from ..urls import link_for

        link = link_for(found.endpoint, **found.args)
    notify(reporters, "tsuho_dismissed" if outcome == DISMISS else "tsuho_resolved",
           {"subject": subject, "link": link or "/", "actor_id": None})
    if outcome == WARN and author is not None:
        notify([author.id], "tsuho_warning", {"subject": subject, "link": link or "/", "actor_id": None})
    return settled
