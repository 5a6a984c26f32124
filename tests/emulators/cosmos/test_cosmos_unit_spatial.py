"""GeoJSON validity, spatial predicates and the spatialIndexes policy, without a server."""

from __future__ import annotations

from typing import Any

import pytest
from geographiclib.geodesic import Geodesic

from local_emulators.cosmos.backend.spatial_policy import check_spatial_indexes
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.query import geojson
from local_emulators.cosmos.query.functions import lookup
from local_emulators.cosmos.query.values import UNDEFINED

SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]


def _call(name: str, *args: Any) -> Any:
    spec = lookup(name)
    assert spec is not None
    return spec.impl(*args)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"type": "Point", "coordinates": [0, 91]}, "Latitude values must be between -90 and 90 degrees."),
        ({"type": "Point", "coordinates": [181, 0]}, "Longitude values must be between -180 and 180 degrees."),
        ({"type": "Point", "coordinates": ["a", 0]}, "A position must be an array of at least two numbers"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "does not have enough points"),
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, "ring number 1 does not have enough points"),
        ({"type": "Polygon", "coordinates": [[*SQUARE[:4], [0, 0.5]]]}, "start and end points of the ring number 1"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "rings cross or touch"),
        ({"type": "MultiPolygon", "coordinates": []}, "has no polygons"),
        ({"type": "Circle", "coordinates": [0, 0]}, "is not supported"),
        ("not geojson", "not a GeoJSON object"),
    ],
)
def test_invalid_geometries_say_why(value: Any, reason: str) -> None:
    verdict = geojson.validate(value)
    assert verdict.valid is False
    assert reason in verdict.reason
    assert _call("ST_ISVALID", value) is False
    assert _call("ST_DISTANCE", value, {"type": "Point", "coordinates": [0, 0]}) is UNDEFINED


def test_valid_geometries_of_every_supported_type() -> None:
    for value in (
        {"type": "Point", "coordinates": [10, 20]},
        {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        {"type": "Polygon", "coordinates": [SQUARE]},
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]]},
    ):
        assert _call("ST_ISVALIDDETAILED", value) == {"valid": True}


def test_point_distance_matches_geographiclib_across_the_globe() -> None:
    pairs = [((0, 0), (179.5, 0.5)), ((-74.0, 40.7), (139.7, 35.7)), ((0, 89.9), (180, 89.9)), ((10, -45), (10, 45))]
    for a, b in pairs:
        got = _call("ST_DISTANCE", {"type": "Point", "coordinates": list(a)}, {"type": "Point", "coordinates": list(b)})
        assert got == pytest.approx(Geodesic.WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"], abs=1e-3)


def test_st_area_matches_the_documented_example_and_the_inverse_rule() -> None:
    # learn.microsoft.com/azure/cosmos-db/query/st-area: this polygon's area is 735970283.0522614 m².
    ring = [[31.8, -5], [32, -5], [32, -4.7], [31.8, -4.7], [31.8, -5]]
    area = _call("ST_AREA", {"type": "Polygon", "coordinates": [ring]})
    assert area == pytest.approx(735970283.0522614, rel=1e-8)
    clockwise = _call("ST_AREA", {"type": "Polygon", "coordinates": [list(reversed(ring))]})
    assert clockwise == pytest.approx(510_065_621_724_088.5 - area, rel=1e-12)
    assert _call("ST_AREA", {"type": "Point", "coordinates": [1, 2]}) == 0
    assert _call("ST_AREA", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}) == 0


def test_boundary_point_is_not_within_but_intersects() -> None:
    corner = {"type": "Point", "coordinates": [1, 1]}
    square = {"type": "Polygon", "coordinates": [SQUARE]}
    assert _call("ST_WITHIN", corner, square) is False
    assert _call("ST_INTERSECTS", corner, square) is True


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("nope", "'spatialIndexes' must be a list"),
        ([{"types": ["Point"]}], "must be an object with a 'path'"),
        ([{"path": "location", "types": ["Point"]}], "is not valid"),
        ([{"path": "/location/*"}], "must list its 'types'"),
        ([{"path": "/location/*", "types": ["Point", "Point"]}], "lists a type twice"),
        ([{"path": "/a/*", "types": ["Point"]}, {"path": "/a/*", "types": ["Polygon"]}], "appears twice"),
    ],
)
def test_spatial_index_policy_errors(entries: Any, message: str) -> None:
    with pytest.raises(BadRequestError, match=message):
        check_spatial_indexes({"spatialIndexes": entries})
