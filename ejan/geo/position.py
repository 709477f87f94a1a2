"""Where a phone says it is: the three carriers' position answers, the Tokyo datum, and distances.

A 2007 keitai sends its position as query parameters on the URL it was told to return to:
- docomo (GPS `lcs` links, オープンiエリア): `lat=%2B34.46.12.000&lon=%2B138.00.55.000&geo=wgs84`,
  degrees.minutes.seconds with a sign; geo is wgs84, tokyo or itrf.
- au (gpsOne `device:gpsone`): `lat=…&lon=…&datum=0|1&unit=0|1`; datum 0 = WGS84, 1 = Tokyo datum;
  unit 0 = degrees.minutes.seconds, 1 = decimal degrees.
- SoftBank (`location:auto`): `pos=N34.46.12.00E138.00.55.00&geo=wgs84`.

Older phones and the carriers' cell-based answers often use the Tokyo datum (日本測地系), about
400 m off WGS84 around Kakegawa. tokyo_to_wgs84 converts it with the three-parameter Helmert
transformation the Geospatial Information Authority publishes for the Tokyo datum (Bessel 1841 ellipsoid,
shift -146.414, +507.337, +680.507 m): within a few metres of the official grid (TKY2JGD) on Honshu,
far inside what a phone's own fix is worth. ITRF (JGD2000) and WGS84 differ by centimetres: one answer.
"""
from __future__ import annotations

import math
import re
from typing import Mapping

# (semi-major axis a, flattening f)
_BESSEL = (6377397.155, 1 / 299.152813)
_WGS84 = (6378137.0, 1 / 298.257223563)
_TOKYO_TO_WGS84 = (-146.414, 507.337, 680.507)  # metres, ECEF

WGS84 = "wgs84"
TOKYO = "tokyo"


def _to_ecef(lat: float, lon: float, height: float, ellipsoid) -> tuple[float, float, float]:
    a, f = ellipsoid
    e2 = f * (2 - f)
    phi, lam = math.radians(lat), math.radians(lon)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return ((n + height) * math.cos(phi) * math.cos(lam), (n + height) * math.cos(phi) * math.sin(lam),
            (n * (1 - e2) + height) * math.sin(phi))


def _from_ecef(x: float, y: float, z: float, ellipsoid) -> tuple[float, float]:
    a, f = ellipsoid
    e2 = f * (2 - f)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(6):  # converges to well under a millimetre in three or four rounds
        n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        height = p / math.cos(phi) - n
        phi = math.atan2(z, p * (1 - e2 * n / (n + height)))
    return math.degrees(phi), math.degrees(math.atan2(y, x))


def tokyo_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    x, y, z = _to_ecef(lat, lon, 0.0, _BESSEL)
    dx, dy, dz = _TOKYO_TO_WGS84
    return _from_ecef(x + dx, y + dy, z + dz, _WGS84)


def wgs84_to_tokyo(lat: float, lon: float) -> tuple[float, float]:
    x, y, z = _to_ecef(lat, lon, 0.0, _WGS84)
    dx, dy, dz = _TOKYO_TO_WGS84
    return _from_ecef(x - dx, y - dy, z - dz, _BESSEL)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on a 6,371 km sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


# --- the carriers' formats ------------------------------------------------------------------------

_DMS = re.compile(r"([+-]?)(\d{1,3})\.(\d{1,2})\.(\d{1,2}(?:\.\d{1,4})?)")
_DEGREES = re.compile(r"[+-]?\d{1,3}(?:\.\d{1,10})?")
_SOFTBANK = re.compile(r"([NS])(\d{1,3}\.\d{1,2}\.\d{1,2}(?:\.\d{1,4})?)([EW])(\d{1,3}\.\d{1,2}\.\d{1,2}(?:\.\d{1,4})?)")


def dms(text: str) -> float | None:
    """"+34.46.12.000" (degrees.minutes.seconds) as decimal degrees, or None."""
    match = _DMS.fullmatch((text or "").strip())
    if match is None:
        return None
    sign, degrees, minutes, seconds = match.groups()
    if int(minutes) >= 60 or float(seconds) >= 60:
        return None
    value = int(degrees) + int(minutes) / 60 + float(seconds) / 3600
    return -value if sign == "-" else value


def degrees(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if _DEGREES.fullmatch(text) else None


def _datum(geo: str | None) -> str | None:
    geo = (geo or WGS84).strip().lower()
    if geo in (WGS84, "itrf", "jgd2000", "jgd2011"):
        return WGS84
    return TOKYO if geo == TOKYO else None


def _plausible(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


def carrier_position(args: Mapping[str, str]) -> tuple[float, float] | None:
    """The WGS84 (lat, lon) a phone's position answer carries, in any of the three formats; else None."""
    pos = args.get("pos")
    if pos:  # SoftBank
        match = _SOFTBANK.fullmatch(pos.strip().upper())
        datum = _datum(args.get("geo"))
        if match is None or datum is None:
            return None
        lat, lon = dms(match.group(2)), dms(match.group(4))
        if lat is None or lon is None:
            return None
        lat, lon = (-lat if match.group(1) == "S" else lat), (-lon if match.group(3) == "W" else lon)
    elif "lat" in args and "lon" in args:
        lat_text, lon_text = args.get("lat", ""), args.get("lon", "")
        if "datum" in args or "unit" in args:  # au
            datum = {"0": WGS84, "1": TOKYO}.get((args.get("datum") or "0").strip())
            parse = {"0": dms, "1": degrees}.get((args.get("unit") or "0").strip())
            if datum is None or parse is None:
                return None
        else:  # docomo (and any phone that answers in the same shape)
            datum = _datum(args.get("geo"))
            parse = dms if _DMS.fullmatch(lat_text.strip()) else degrees
            if datum is None:
                return None
        lat, lon = parse(lat_text), parse(lon_text)
    else:
        return None
    if not _plausible(lat, lon):
        return None
    return tokyo_to_wgs84(lat, lon) if datum == TOKYO else (lat, lon)


def position_link(carrier: str | None, back: str) -> str | None:
    """The link that makes a 2007 phone send its position to `back` (an absolute URL), or None.

    docomo needs the `lcs` attribute on a plain link to `back`; the template adds it."""
    if carrier == "au":
        return f"device:gpsone?url={back}&ver=1&datum=0&unit=0&acry=0&number=0"
    if carrier == "softbank":
        return f"location:auto?url={back}"
    if carrier == "docomo":
        return back
    return None
