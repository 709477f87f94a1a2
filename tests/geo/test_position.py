"""A phone's position in each carrier's format and datum, and the Tokyo datum to WGS84 within 10 m."""
from __future__ import annotations

import pytest

from ejan.geo.boundary import CITY_HALL
from ejan.geo.position import carrier_position, distance_m, dms, tokyo_to_wgs84, wgs84_to_tokyo

# 34°46'07.56"N 137°59'53.40"E is city hall (34.768767, 137.998168) to a few centimetres.
HALL_DMS = ("34.46.07.561", "137.59.53.405")
HALL_DEG = ("34.768767", "137.998168")
HALL_TOKYO = wgs84_to_tokyo(*CITY_HALL)


def _dms(value: float) -> str:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}.{minutes:02d}.{seconds:06.3f}"


TOKYO_DMS = (_dms(HALL_TOKYO[0]), _dms(HALL_TOKYO[1]))


def near_hall(position, metres=1.0) -> bool:
    return position is not None and distance_m(*position, *CITY_HALL) < metres


def test_the_tokyo_datum_converts_within_ten_metres_at_japans_geodetic_origin():
    # 日本経緯度原点: its Tokyo-datum coordinates by definition, and its JGD2000 (≈ WGS84) ones.
    def deg(d, m, s):
        return d + m / 60 + s / 3600

    lat, lon = tokyo_to_wgs84(deg(35, 39, 17.5148), deg(139, 44, 40.5020))
    assert distance_m(lat, lon, deg(35, 39, 29.1572), deg(139, 44, 28.8759)) < 10


def test_around_kakegawa_the_datums_are_some_400_metres_apart_and_convert_back():
    assert 350 < distance_m(*HALL_TOKYO, *CITY_HALL) < 500
    assert distance_m(*tokyo_to_wgs84(*HALL_TOKYO), *CITY_HALL) < 0.01


@pytest.mark.parametrize("args", [
    # docomo: degrees.minutes.seconds with a sign
    {"lat": "+" + HALL_DMS[0], "lon": "+" + HALL_DMS[1], "geo": "wgs84"},
    {"lat": "+" + HALL_DMS[0], "lon": "+" + HALL_DMS[1], "geo": "WGS84", "x-acc": "1"},
    {"lat": "+" + TOKYO_DMS[0], "lon": "+" + TOKYO_DMS[1], "geo": "tokyo"},
    # au: datum 0 WGS84 / 1 Tokyo; unit 0 DMS / 1 degrees
    {"lat": HALL_DMS[0], "lon": HALL_DMS[1], "datum": "0", "unit": "0"},
    {"lat": HALL_DEG[0], "lon": HALL_DEG[1], "datum": "0", "unit": "1"},
    {"lat": TOKYO_DMS[0], "lon": TOKYO_DMS[1], "datum": "1", "unit": "0"},
    {"lat": f"{HALL_TOKYO[0]:.7f}", "lon": f"{HALL_TOKYO[1]:.7f}", "datum": "1", "unit": "1"},
    # SoftBank: pos=N…E…
    {"pos": f"N{HALL_DMS[0]}E{HALL_DMS[1]}", "geo": "wgs84"},
    {"pos": f"N{TOKYO_DMS[0]}E{TOKYO_DMS[1]}", "geo": "tokyo"},
    {"pos": f"N{HALL_DMS[0]}E{HALL_DMS[1]}", "geo": "itrf"},
], ids=["docomo", "docomo-extra", "docomo-tokyo", "au-dms", "au-degrees", "au-tokyo-dms", "au-tokyo-degrees",
        "softbank", "softbank-tokyo", "softbank-itrf"])
def test_each_carriers_answer_lands_on_city_hall(args):
    assert near_hall(carrier_position(args), metres=1.0), carrier_position(args)


def test_the_issues_docomo_and_softbank_examples_agree():
    docomo = carrier_position({"lat": "+34.46.12.000", "lon": "+138.00.55.000", "geo": "wgs84"})
    softbank = carrier_position({"pos": "N34.46.12.00E138.00.55.00", "geo": "wgs84"})
    assert docomo == pytest.approx((34.77, 138.0152778)) and softbank == pytest.approx(docomo)


@pytest.mark.parametrize("args", [
    {}, {"lat": "34.7"}, {"lat": "abc", "lon": "def", "geo": "wgs84"}, {"lat": "+34.61.00.000", "lon": "+138.00.00.000"},
    {"lat": "+34.46.12", "lon": "+138.00.55", "geo": "mars"}, {"lat": "1", "lon": "2", "datum": "7", "unit": "1"},
    {"lat": "1", "lon": "2", "datum": "0", "unit": "9"}, {"pos": "X34.46.12.00E138.00.55.00"},
    {"pos": "N34.46.12.00E138.00.55.00", "geo": "nowhere"}, {"lat": "999", "lon": "0", "datum": "0", "unit": "1"},
    {"lat": "\x00", "lon": "1e309", "geo": "wgs84"},
])
def test_a_malformed_answer_is_no_position(args):
    assert carrier_position(args) is None


def test_dms_reads_signs_and_refuses_sixty_minutes():
    assert dms("-34.30.00.0") == -34.5 and dms("+34.60.00") is None and dms("34.5") is None
