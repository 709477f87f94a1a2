"""The city map: pins by category on a Folium map, keitai lists, shelters, GeoJSON."""
from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from . import tsuho
from .views import bp

feature = Feature(
    name="maps",
    blueprints=(bp,),
    receivers=("ejan.maps.leaving",),  # its part of 退会
    # Not in the keitai menu, which every keitai page carries inside its 10 KB: the keitai home links the list.
    nav=(NavLink("maps.index", _l("地図"), order=30, keitai=False),),
    tsuho_targets=tsuho.KINDS,
    # Hiding pins and a shelter's status are done on the pins themselves, from the map.
    admin_links=(NavLink("maps.index", _l("地図のピン（非表示・避難所の状況）"), order=50),),
)
