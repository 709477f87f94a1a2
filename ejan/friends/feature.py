"""Friends (マイフレンド): requests, the friend list, introductions."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from .views import bp

feature = Feature(
    name="friends",
    blueprints=(bp,),
    nav=(NavLink("friends.index", _l("マイフレンド"), order=50, key="2", member_arg="member_id"),),
    notifications={
        "friend_requested": _l("%(who)sからマイフレンド申請が届きました"),
        "friend_accepted": _l("%(who)sがマイフレンド申請を承認しました"),
    },
)
