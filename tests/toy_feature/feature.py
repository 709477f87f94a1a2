from flask_babel import lazy_gettext as _l

from ejan.features import Feature
from ejan.reports.targets import Target, TsuhoKind
from ejan.navigation import NavLink

from .views import bp

feature = Feature(
    name="toy",
    blueprints=(bp,),
    tasks=("toy_feature.tasks",),
    nav=(NavLink("toy.page", _l("おもちゃ"), order=65),),
    notifications={"toy_poked": _l("%(who)s さんがつつきました")},
    tsuho_targets={"toy": TsuhoKind(_l("おもちゃ"), lambda viewer, toy_id: Target("toy", toy_id, "くま", 0, "toy.page"))},
)
