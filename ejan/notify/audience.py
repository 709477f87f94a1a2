"""Who a broadcast reaches, as a statement the fan-out walks by id ranges (re-exported by api.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

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
