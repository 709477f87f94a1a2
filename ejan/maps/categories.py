"""The kinds of pin and of shelter status: stored as these codes, shown through gettext.

Each category carries its marker colour and icon (Font Awesome 4 names, which folium's
BeautifyIcon/AwesomeMarkers draw), so the PC map, the legend and the keitai list agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    code: str
    label: object  # a lazy string: the page's language decides
    colour: str  # one of Leaflet.awesome-markers' colours
    icon: str  # Font Awesome 4 icon name
    mark: str  # one character for the keitai list, where there are no icons


FACILITY = "facility"
HAZARD = "hazard"
EVENT_VENUE = "event_venue"
ROAD_WORKS = "road_works"
NEW_FACILITY = "new_facility"
SHELTER = "shelter"
OTHER = "other"

CATEGORIES: dict[str, Category] = {c.code: c for c in (
    Category(FACILITY, _l("施設"), "blue", "building", "F"),
    Category(HAZARD, _l("危険箇所"), "red", "exclamation-triangle", "!"),
    Category(EVENT_VENUE, _l("イベント会場"), "purple", "calendar", "E"),
    Category(ROAD_WORKS, _l("道路工事"), "orange", "wrench", "R"),
    Category(NEW_FACILITY, _l("新しい公共施設"), "green", "star", "N"),
    Category(SHELTER, _l("避難所"), "darkgreen", "home", "S"),
    Category(OTHER, _l("その他"), "gray", "map-marker", "*"),
)}
CATEGORY_CODES = tuple(CATEGORIES)

# Shelters only: admins set it, the disaster screen shows it.
SHELTER_OPEN = "open"
SHELTER_FULL = "full"
SHELTER_CLOSED = "closed"
SHELTER_STATUSES: dict[str, object] = {
    SHELTER_OPEN: _l("開設中"),
    SHELTER_FULL: _l("満員"),
    SHELTER_CLOSED: _l("閉鎖"),
}


def category_label(code: str):
    category = CATEGORIES.get(code)
    return category.label if category else code


def shelter_status_label(code: str | None):
    return SHELTER_STATUSES.get(code or "", "")
