"""The city boundary: the README's test points, and the edges of its bounding box."""
import pytest

from ejan.geo.boundary import CITY_HALL, bbox, inside_city


def test_city_hall_inside():
    assert inside_city(*CITY_HALL)


def test_fukuroi_outside():
    assert not inside_city(34.750, 137.925)


@pytest.mark.parametrize("lat,lon", [(35.68, 139.76), (0, 0), (34.64, 137.93), (-34.77, -138.0)])
def test_far_points_outside(lat, lon):
    assert not inside_city(lat, lon)


def test_bbox_matches_the_data_readme():
    min_lon, min_lat, max_lon, max_lat = bbox()
    assert (min_lon, min_lat) == pytest.approx((137.93729333, 34.64232815))
    assert (max_lon, max_lat) == pytest.approx((138.1024075, 34.92019528))
