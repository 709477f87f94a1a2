"""Communities: membership and roles, topics, events."""
from flask_babel import lazy_gettext as _l

from ..features import Feature, MonthlyCount
from ..navigation import NavLink
from ..notify.kinds import Kind
from . import tsuho
from .models import Community, TopicComment
from .views import bp

feature = Feature(
    name="communities",
    blueprints=(bp,),
    receivers=("ejan.communities.counts", "ejan.communities.leaving"),  # suspension and 退会 change counts
    nav=(NavLink("communities.mine", _l("コミュニティ"), order=20),),
    tsuho_targets=tsuho.KINDS,
    monthly=(MonthlyCount("communities", _l("コミュニティ数（累計）"), Community.created_at, cumulative=True, order=20),
             MonthlyCount("comments", _l("コメント"), TopicComment.created_at, order=40)),
    notifications={
        "topic_comment": Kind(_l("%(who)sがトピック「%(subject)s」にコメントしました"),
                              label=_l("トピックへの書き込み"), chatty=True),
        "community_join_requested": Kind(_l("%(who)sがコミュニティ「%(subject)s」への参加を申請しました"),
                                         label=_l("コミュニティへの参加申請")),
        "community_join_approved": Kind(_l("コミュニティ「%(subject)s」への参加が承認されました"),
                                        label=_l("コミュニティへの参加承認")),
    },
)
