"""Friends (マイフレンド): requests, the friend list, introductions."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from ..notify.kinds import KEITAI, PC, WEB, Kind
from .views import bp

feature = Feature(
    name="friends",
    blueprints=(bp,),
    receivers=("ejan.friends.leaving",),  # its part of 退会
    nav=(NavLink("friends.index", _l("マイフレンド"), order=50, key="2", member_arg="member_id"),),
    notifications={
        "friend_requested": Kind(_l("%(who)sからマイフレンド申請が届きました"), label=_l("マイフレンド申請"),
                                 channels=(WEB, PC, KEITAI)),
        "friend_accepted": Kind(_l("%(who)sがマイフレンド申請を承認しました"), label=_l("マイフレンド申請の承認")),
    },
)
