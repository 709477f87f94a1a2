"""Disaster mode: the switch, the disaster screen, damage reports, safety check-in, official notices."""
from flask_babel import lazy_gettext as _l

from ..features import Fact, Feature, MapLayer, MonthlyCount
from ..navigation import NavLink
from . import events, screen, tsuho
from .models import DamageReport
from .views import bp

feature = Feature(
    name="disaster",
    blueprints=(bp,),
    receivers=("ejan.disaster.leaving",),  # its part of 退会
    notifications={"disaster_broadcast": _l("【災害情報】%(subject)s")},
    facts={"disaster_active": Fact(lambda: events.active_event() is not None, "1 while a disaster event is in force",
                                   ready=True)},
    tsuho_targets=tsuho.KINDS,
    admin_links=(NavLink("disaster.admin", _l("災害モード"), order=20),
                 NavLink("disaster.admin_triage", _l("被害報告の確認"), order=21)),
    monthly=(MonthlyCount("damage_reports", _l("被害報告"), DamageReport.created_at, order=70),),
    # Reports on the city map, only while an event is on (the cached summary: no query per map page).
    map_layers={"disaster_reports": MapLayer(label=screen.report_layer_label, endpoint="disaster.report_geojson",
                                             colour="red", icon="exclamation-triangle", muted_colour="gray",
                                             shown=lambda: events.active_summary() is not None)},
    setup=screen.init_app,
)
