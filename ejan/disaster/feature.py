"""Disaster mode: the switch, the disaster screen, damage reports, safety check-in, official notices."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from . import screen
from .views import bp

feature = Feature(
    name="disaster",
    blueprints=(bp,),
    notifications={"disaster_broadcast": _l("【災害情報】%(subject)s")},
    setup=screen.init_app,
)
