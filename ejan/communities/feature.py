"""Communities: membership and roles, topics, events."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from . import tsuho
from .views import bp

feature = Feature(
    name="communities",
    blueprints=(bp,),
    receivers=("ejan.communities.counts",),  # suspension takes a member out of member_count
    nav=(NavLink("communities.mine", _l("コミュニティ"), order=20),),
    tsuho_targets=tsuho.KINDS,
    notifications={
        "topic_comment": _l("%(who)sがトピック「%(subject)s」にコメントしました"),
        "community_join_requested": _l("%(who)sがコミュニティ「%(subject)s」への参加を申請しました"),
        "community_join_approved": _l("コミュニティ「%(subject)s」への参加が承認されました"),
    },
)
