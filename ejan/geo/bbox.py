"""The bounding box every map GeoJSON endpoint takes: `?bbox=min_lon,min_lat,max_lon,max_lat` (GeoJSON order).

One parser, so the pin layer and every layer another feature adds to the map (ejan.features.MapLayer)
read the map's request alike and refuse the same malformed boxes."""
from __future__ import annotations

import math

from flask_babel import gettext as _

from ..errors import Invalid

BBox = tuple[float, float, float, float]


def parse_bbox(text: str | None) -> BBox | None:
    """None when not given; Invalid when given and not four finite numbers in order and in range."""
    if not text:
        return None
    try:
        numbers = tuple(float(part) for part in text.split(","))
    except ValueError:
        numbers = ()
    if (len(numbers) != 4 or not all(math.isfinite(n) for n in numbers) or not numbers[0] <= numbers[2]
            or not numbers[1] <= numbers[3] or not -180 <= numbers[0] <= 180 or not -90 <= numbers[1] <= 90
            or not -180 <= numbers[2] <= 180 or not -90 <= numbers[3] <= 90):
        raise Invalid(_("bbox は 最小経度,最小緯度,最大経度,最大緯度 の4つの数で指定してください。"), code="bbox")
    return numbers
