"""The site's frame: the front page, the jump page between a keitai and other sites, error pages."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import GUESTS, MEMBERS, NavLink
from . import errors
from .views import bp

feature = Feature(
    name="site",
    blueprints=(bp,),
    nav=(
        NavLink("site.home", _l("ホーム"), order=0, key="0", audience=MEMBERS),
        NavLink("site.home", _l("トップ"), order=0, key="0", audience=GUESTS, pc=False),
    ),
    setup=errors.init_app,
)
