"""Is a point inside Kakegawa? The city's real administrative boundary, shipped with the package.

kakegawa.geojson is a verbatim copy of 国土数値情報 行政区域データ (N03) for 掛川市 (code 22213).
出典：国土数値情報（行政区域データ）（国土交通省）. GeoJSON order: [longitude, latitude], WGS84.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

CITY_HALL = (34.768767, 137.998168)  # (lat, lon): the map's centre and the tests' known inside point


@lru_cache(maxsize=1)
def _rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    data = json.loads((Path(__file__).with_name("kakegawa.geojson")).read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            rings.extend(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
    return tuple(rings)


@lru_cache(maxsize=1)
def bbox() -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the city."""
    xs = [x for ring in _rings() for x, _ in ring]
    ys = [y for ring in _rings() for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def inside_city(lat: float, lon: float) -> bool:
    """Even-odd ray casting over every ring: holes (none today) and islands come out right."""
    min_lon, min_lat, max_lon, max_lat = bbox()
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        return False
    inside = False
    for ring in _rings():
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            if (y1 > lat) != (y0 > lat) and lon < (x0 - x1) * (lat - y1) / (y0 - y1) + x1:
                inside = not inside
            x0, y0 = x1, y1
    return inside
