"""Disaster mode: the switch, the disaster screen, damage reports, safety check-in, official notices."""
from flask_babel import lazy_gettext as _l

from ..features import Fact, Feature, MapLayer
from . import events, screen
from .views import bp

feature = Feature(
    name="disaster",
    blueprints=(bp,),
    notifications={"disaster_broadcast": _l("【災害情報】%(subject)s")},
    facts={"disaster_active": Fact(lambda: events.active_event() is not None, "1 while a disaster event is in force",
                                   ready=True)},
    # Reports on the city map, only while an event is on (the cached summary: no query per map page).
    map_layers={"disaster_reports": MapLayer(label=_l("まちかどレポート"), endpoint="disaster.report_geojson",
                                             colour="red", icon="exclamation-triangle", muted_colour="gray",
                                             shown=lambda: events.active_summary() is not None)},
    setup=screen.init_app,
)
