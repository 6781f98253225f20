"""Plain geometry used by every map: distances, boxes, the municipality outline and the nearest area."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinget.core import geo
from tinget.core.models import Area

latitudes = st.floats(min_value=-80, max_value=80, allow_nan=False)
longitudes = st.floats(min_value=-179, max_value=179, allow_nan=False)


def test_distance_between_asker_and_oslo_is_about_20_km():
    assert 19_000 < geo.distance_m(59.8335, 10.4345, 59.9139, 10.7522) < 20_500


@given(latitudes, longitudes, st.floats(min_value=1, max_value=50_000))
def test_every_point_within_the_radius_is_inside_the_box(lat, lon, metres):
    box = geo.bbox_around(lat, lon, metres)
    # North, south, east and west at exactly the radius all lie inside (on) the box.
    dlat = math.degrees(metres / geo.EARTH_RADIUS_M)
    assert box.south <= lat - dlat * 0.999 and lat + dlat * 0.999 <= box.north
    assert box.west < lon < box.east


@given(st.text(max_size=60))
def test_bbox_parse_never_raises_anything_but_value_error(text):
    try:
        box = geo.BBox.parse(text)
    except ValueError:
        return
    assert box.south <= box.north and box.west <= box.east


@pytest.mark.parametrize(
    "text",
    ["", "1,2,3", "a,b,c,d", "10,60,9,61", "10,61,11,60", "nan,1,2,3", "inf,59,11,60", "10,-91,11,60", "1,2,3,4,5"],
)
def test_malformed_boxes_are_refused(text):
    with pytest.raises(ValueError):
        geo.BBox.parse(text)


def test_bbox_round_trips_through_text():
    box = geo.BBox.parse("10.3,59.7,10.6,59.9")
    assert geo.BBox.parse(str(box)) == box


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]


@given(st.floats(min_value=0.01, max_value=9.99), st.floats(min_value=0.01, max_value=9.99))
def test_points_inside_a_square_are_inside(lat, lon):
    assert geo.point_in_ring(lat, lon, SQUARE)


@given(st.floats(min_value=10.01, max_value=80), st.floats(min_value=-170, max_value=170))
def test_points_north_of_a_square_are_outside(lat, lon):
    assert not geo.point_in_ring(lat, lon, SQUARE)


@pytest.mark.django_db
def test_asker_outline_holds_its_places_and_not_its_neighbours(municipality):
    for area in Area.objects.filter(municipality=municipality):
        assert geo.in_municipality(municipality, area.center_latitude, area.center_longitude), area.slug
    assert not geo.in_municipality(municipality, 59.9139, 10.7522)  # Oslo
    assert not geo.in_municipality(municipality, 59.7440, 10.2040)  # Drammen
    assert not geo.in_municipality(municipality, 200, 10)
    assert not geo.in_municipality(municipality, "x", None)


@pytest.mark.django_db
def test_a_point_belongs_to_the_nearest_area(municipality):
    areas = list(Area.objects.filter(municipality=municipality))
    assert geo.nearest_area(areas, 59.5460, 10.5590).slug == "tofte"
    assert geo.nearest_area(areas, 59.7810, 10.4960).slug == "slemmestad"
    assert geo.nearest_area([], 59.0, 10.0) is None
