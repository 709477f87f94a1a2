"""The diary: entries, comments, feeds, footprints."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from . import tsuho
from .views import bp

feature = Feature(
    name="diary",
    blueprints=(bp,),
    nav=(
        NavLink("diary.friends_feed", _l("日記"), order=10, key="9"),
        NavLink("diary.footprints", _l("あしあと"), order=70, keitai=False),
    ),
    tsuho_targets=tsuho.KINDS,
    notifications={"diary_comment": _l("%(who)sが日記「%(subject)s」にコメントしました")},
)
