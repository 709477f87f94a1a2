from flask_babel import lazy_gettext as _l

from ejan.features import Feature
from ejan.navigation import NavLink

from .views import bp

feature = Feature(
    name="toy",
    blueprints=(bp,),
    tasks=("toy_feature.tasks",),
    nav=(NavLink("toy.page", _l("おもちゃ"), order=65),),
    notifications={"toy_poked": _l("%(who)s さんがつつきました")},
)
