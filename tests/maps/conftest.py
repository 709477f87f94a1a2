"""Pins in one line, and the map's settings as the tests want them (a local tile, never the internet)."""
from __future__ import annotations

from datetime import datetime

import pytest

from ejan.extensions import db
from ejan.geo.boundary import CITY_HALL
from ejan.maps.models import Pin

LOCAL_TILE = "/static/maps/test-tile.png?z={z}&x={x}&y={y}"


@pytest.fixture(autouse=True)
def local_tiles(app):
    before = app.config["EJAN_MAP_TILES_URL"]
    app.config["EJAN_MAP_TILES_URL"] = LOCAL_TILE
    yield
    app.config["EJAN_MAP_TILES_URL"] = before


@pytest.fixture
def make_pin(app):
    def make(author, title="掛川城", *, category="facility", lat=CITY_HALL[0], lon=CITY_HALL[1], commit=True, **values):
        pin = Pin(author_id=author.id, title=title, category=category, description=values.pop("description", ""),
                  lat=lat, lon=lon, **values)
        db.session.add(pin)
        if commit:
            db.session.commit()
        return pin

    return make


PAST = datetime(2020, 1, 1)
FUTURE = datetime(2999, 1, 1)
