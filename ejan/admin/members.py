"""What admins do about members: find them, read their invite chain, suspend, reinstate, change their role.

The rules themselves (what suspending does, the last admin) live in ejan/members/services.py; this module
only makes sure an admin is asking, and gives the pages one call each."""
from __future__ import annotations

from flask_babel import gettext as _

from ..errors import NotFound
from ..extensions import db
from ..members import services
from ..members.models import Member
from ..pagination import Page, paginate
from .audit import require_admin


def search(admin, query: str = "", district: str | None = None, status: str | None = None, *, page: int = 1,
           per_page: int = 20) -> Page:
    require_admin(admin)
    return paginate(services.search_members(query, district, status), page, per_page)


def get(admin, member_id: int) -> Member:
    require_admin(admin)
    found = db.session.get(Member, member_id)
    if found is None:
        raise NotFound(_("会員が見つかりません。"))
    return found


def overview(admin, member_id: int) -> dict:
    """A member's page for admins: the member, who vouched for them up to the root, whom they brought in."""
    found = get(admin, member_id)
    _inviter, invited = services.invite_tree(found)
    return {"member": found, "chain": services.invite_chain(found), "invited": invited,
            "open_invitations": services.open_invitation_count(found)}


def suspend(admin, member_id: int, reason: str) -> bool:
    return services.suspend(admin, get(admin, member_id), reason)


def reinstate(admin, member_id: int, reason: str) -> bool:
    return services.reinstate(admin, get(admin, member_id), reason)


def set_role(admin, member_id: int, role: str) -> bool:
    return services.set_role(admin, get(admin, member_id), role)
