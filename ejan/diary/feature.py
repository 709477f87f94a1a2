"""The diary: entries, comments, feeds, footprints."""
from flask_babel import lazy_gettext as _l

from ..features import Feature, MonthlyCount
from ..navigation import NavLink
from ..notify.kinds import Kind
from . import tsuho
from .models import DiaryComment, DiaryEntry
from .views import bp

feature = Feature(
    name="diary",
    blueprints=(bp,),
    receivers=("ejan.diary.leaving",),  # its part of 退会
    nav=(
        NavLink("diary.friends_feed", _l("日記"), order=10, key="9"),
        NavLink("diary.footprints", _l("あしあと"), order=70, keitai=False),
    ),
    tsuho_targets=tsuho.KINDS,
    monthly=(MonthlyCount("diaries", _l("新しい日記"), DiaryEntry.created_at, order=30),
             MonthlyCount("comments", _l("コメント"), DiaryComment.created_at, order=40)),
    # Comments can come many times a day: mail about them defaults to the daily digest.
    notifications={"diary_comment": Kind(_l("%(who)sが日記「%(subject)s」にコメントしました"),
                                         label=_l("日記へのコメント"), chatty=True)},
)
