"""Spatial functions: ST_DISTANCE, ST_WITHIN, ST_INTERSECTS, ST_ISVALID, ST_ISVALIDDETAILED.

Source: learn.microsoft.com/azure/cosmos-db/nosql/query/st-distance (and its siblings). Distances are in
metres on the WGS-84 ellipsoid (PROJ's geodesics through pyproj: Karney's algorithm, nanometre-exact, and
fast enough to scan a container); containment and intersection are decided by
shapely on longitude/latitude. Arguments that are not valid GeoJSON give undefined, as in Cosmos DB.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from local_emulators.cosmos.query import geojson
from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.values import UNDEFINED

_WGS84 = Geod(ellps="WGS84")
_Position = tuple[float, float]
# Golden-section steps along one segment: the bracket shrinks to 0.618**60 of the segment (sub-millimetre).
_SEARCH_STEPS = 60
_GOLDEN = (5**0.5 - 1) / 2


def point_distance(a: _Position, b: _Position) -> float:
    """Geodesic distance in metres between two (longitude, latitude) positions on WGS-84."""
    return float(_WGS84.inv(a[0], a[1], b[0], b[1], return_back_azimuth=False)[2])


def _segment_distance(point: _Position, start: _Position, end: _Position) -> float:
    # The distance from a point to positions along a geodesic segment is unimodal for the segment lengths
    # GeoJSON uses, so a golden-section search over the arc length finds its minimum.
    azimuth, _, length = _WGS84.inv(start[0], start[1], end[0], end[1], return_back_azimuth=False)
    low, high = 0.0, float(length)

    def at(arc: float) -> float:
        lon, lat, _ = _WGS84.fwd(start[0], start[1], azimuth, arc, return_back_azimuth=False)
        return point_distance(point, (lon, lat))

    for _ in range(_SEARCH_STEPS):
        left = high - _GOLDEN * (high - low)
        right = low + _GOLDEN * (high - low)
        if at(left) < at(right):
            high = right
        else:
            low = left
    return min(at((low + high) / 2), point_distance(point, start), point_distance(point, end))


def _lines(geometry: BaseGeometry) -> Iterator[list[_Position]]:
    # Every vertex chain that bounds the geometry: a point is a chain of one.
    kind = geometry.geom_type
    if kind == "Point":
        yield [(geometry.x, geometry.y)]
    elif kind == "LineString":
        yield [(x, y) for x, y, *_ in geometry.coords]
    elif kind == "Polygon":
        for ring in (geometry.exterior, *geometry.interiors):
            yield [(x, y) for x, y, *_ in ring.coords]
    else:
        for part in getattr(geometry, "geoms", ()):
            yield from _lines(part)


def _chain_distance(point: _Position, chain: list[_Position]) -> float:
    if len(chain) == 1:
        return point_distance(point, chain[0])
    return min(_segment_distance(point, chain[i], chain[i + 1]) for i in range(len(chain) - 1))


def geometry_distance(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest geodesic distance in metres between two geometries (0 when they meet)."""
    if a.geom_type == "Point" and b.geom_type == "Point":
        return point_distance((a.x, a.y), (b.x, b.y))
    if a.intersects(b):
        return 0.0
    # Apart, the nearest pair has a vertex of one geometry on the other's boundary.
    best = float("inf")
    for here, there in ((a, b), (b, a)):
        for chain in _lines(here):
            for vertex in chain:
                for other in _lines(there):
                    best = min(best, _chain_distance(vertex, other))
    return best


def _distance(first: Any, second: Any) -> Any:
    a, b = geojson.geometry_of(first), geojson.geometry_of(second)
    if a is None or b is None:
        return UNDEFINED
    return geometry_distance(a, b)


def _within(first: Any, second: Any) -> Any:
    a, b = geojson.geometry_of(first), geojson.geometry_of(second)
    if a is None or b is None:
        return UNDEFINED
    # OGC semantics, as SQL Server's geography STWithin: a point on the boundary alone is not within.
    return bool(a.within(b))


def _intersects(first: Any, second: Any) -> Any:
    a, b = geojson.geometry_of(first), geojson.geometry_of(second)
    if a is None or b is None:
        return UNDEFINED
    return bool(a.intersects(b))


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("ST_DISTANCE", 2, 2, _distance),
    spec("ST_WITHIN", 2, 2, _within),
    spec("ST_INTERSECTS", 2, 2, _intersects),
    spec("ST_ISVALID", 1, 1, lambda value: geojson.validate(value).valid),
    spec("ST_ISVALIDDETAILED", 1, 1, lambda value: geojson.validate(value).detailed()),
)
