"""Members: invitations, registration, login, profiles."""
from flask_babel import lazy_gettext as _l

from ..features import Feature, MonthlyCount
from ..navigation import GUESTS, NavLink
from . import tsuho
from .models import Member
from .views import bp

feature = Feature(
    name="members",
    blueprints=(bp,),
    receivers=("ejan.members.leaving",),  # 退会: the profile emptied, invitations revoked, sessions ended
    tsuho_targets=tsuho.KINDS,
    monthly=(MonthlyCount("members", _l("会員数（累計）"), Member.created_at, cumulative=True, order=10),),
    nav=(
        NavLink("members.profile", _l("プロフィール"), order=40, key="3", member_arg="member_id"),
        NavLink("members.invitations", _l("招待する"), order=80, key="4"),
        NavLink("members.login", _l("ログイン"), order=90, key="9", audience=GUESTS, pc=False),
    ),
)
