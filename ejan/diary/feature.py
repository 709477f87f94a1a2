"""The diary: entries, comments, feeds, footprints."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from .views import bp

feature = Feature(
    name="diary",
    blueprints=(bp,),
    nav=(
        NavLink("diary.friends_feed", _l("日記"), order=10, key="9"),
        NavLink("diary.footprints", _l("あしあと"), order=70, keitai=False),
    ),
    notifications={"diary_comment": _l("%(who)sが日記「%(subject)s」にコメントしました")},
)
