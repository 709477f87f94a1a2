"""A member's profile as a thing a resident can report (通報)."""
from flask_babel import lazy_gettext as _l

from ..reports.targets import Target, TsuhoKind
from . import services


def _profile(viewer, member_id: int) -> Target:
    member = services.visible_member(viewer, member_id)
    return Target("member", member.id, member.nickname, member.id, "members.profile", {"member_id": member.id})


KINDS = {"member": TsuhoKind(_l("プロフィール"), _profile)}
