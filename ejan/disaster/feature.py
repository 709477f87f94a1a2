"""Disaster mode: the switch, the disaster screen, damage reports, safety check-in, official notices."""
from flask_babel import lazy_gettext as _l

from ..features import Fact, Feature
from . import events, screen
from .views import bp

feature = Feature(
    name="disaster",
    blueprints=(bp,),
    receivers=("ejan.disaster.leaving",),  # its part of 退会
    notifications={"disaster_broadcast": _l("【災害情報】%(subject)s")},
    facts={"disaster_active": Fact(lambda: events.active_event() is not None, "1 while a disaster event is in force",
                                   ready=True)},
    setup=screen.init_app,
)
