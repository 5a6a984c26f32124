"""Spatial functions: ST_DISTANCE, ST_WITHIN, ST_INTERSECTS, ST_AREA, ST_ISVALID, ST_ISVALIDDETAILED.

Source: learn.microsoft.com/azure/cosmos-db/nosql/query/st-distance (and its siblings). Distances are in
metres on the WGS-84 ellipsoid (PROJ's geodesics through pyproj: Karney's algorithm, nanometre-exact, and
fast enough to scan a container); containment and intersection are decided by
shapely on longitude/latitude. Arguments that are not valid GeoJSON give undefined, as in Cosmos DB.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local_emulators.cosmos.query import geojson
from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.values import UNDEFINED

if TYPE_CHECKING:
    from pyproj import Geod
    from shapely.geometry.base import BaseGeometry


@functools.cache
def _wgs84() -> Geod:
    # pyproj (and shapely, numpy) load on the first spatial query, not at the emulator's start-up.
    from pyproj import Geod

    return Geod(ellps="WGS84")


_Position = tuple[float, float]
# Golden-section steps along one segment: the bracket shrinks to 0.618**60 of the segment (sub-millimetre).
_SEARCH_STEPS = 60
_GOLDEN = (5**0.5 - 1) / 2
# The WGS-84 ellipsoid's surface: what a clockwise polygon (the rest of the globe) leaves of it.
_EARTH_AREA = 510_065_621_724_088.5


def point_distance(a: _Position, b: _Position) -> float:
    """Geodesic distance in metres between two (longitude, latitude) positions on WGS-84."""
    return float(_wgs84().inv(a[0], a[1], b[0], b[1], return_back_azimuth=False)[2])


def _segment_distance(point: _Position, start: _Position, end: _Position) -> float:
    # The distance from a point to positions along a geodesic segment is unimodal for the segment lengths
    # GeoJSON uses, so a golden-section search over the arc length finds its minimum.
    azimuth, _, length = _wgs84().inv(start[0], start[1], end[0], end[1], return_back_azimuth=False)
    low, high = 0.0, float(length)

    def at(arc: float) -> float:
        lon, lat, _ = _wgs84().fwd(start[0], start[1], azimuth, arc, return_back_azimuth=False)
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


def _boundary_distance(a: BaseGeometry, b: BaseGeometry) -> float:
    # Apart, the nearest pair has a vertex of one geometry on the other's boundary.
    best = float("inf")
    for here, there in ((a, b), (b, a)):
        for chain in _lines(here):
            for vertex in chain:
                for other in _lines(there):
                    best = min(best, _chain_distance(vertex, other))
    return best


def geometry_distance(a: BaseGeometry, b: BaseGeometry) -> float:
    """The shortest geodesic distance in metres between two geometries (0 when they meet)."""
    if a.geom_type == "Point" and b.geom_type == "Point":
        return point_distance((a.x, a.y), (b.x, b.y))
    return 0.0 if a.intersects(b) else _boundary_distance(a, b)


@dataclass(frozen=True)
class _Shape:
    geometry: BaseGeometry
    inverted: bool


def _meets(a: _Shape, b: _Shape) -> bool:
    ga, gb = a.geometry, b.geometry
    if a.inverted and b.inverted:
        return True  # the outsides of two bounded areas always share the rest of the globe
    if b.inverted:
        return not ga.within(gb)  # it reaches outside the excluded area
    if a.inverted:
        return not gb.within(ga)
    return bool(ga.intersects(gb))


def _inside(a: _Shape, b: _Shape) -> bool:
    ga, gb = a.geometry, b.geometry
    if a.inverted:
        # The outside of A lies within the outside of B exactly when B's area lies within A's.
        return b.inverted and bool(gb.within(ga))
    if b.inverted:
        return bool(ga.disjoint(gb))
    # OGC semantics, as SQL Server's geography STWithin: a point on the boundary alone is not within.
    return bool(ga.within(gb))


def _shapes(first: Any, second: Any) -> tuple[_Shape, _Shape] | None:
    a, b = geojson.cached_validate(first), geojson.cached_validate(second)
    if a.geometry is None or b.geometry is None:
        return None
    return _Shape(a.geometry, a.inverted), _Shape(b.geometry, b.inverted)


def _distance(first: Any, second: Any) -> Any:
    pair = _shapes(first, second)
    if pair is None:
        return UNDEFINED
    a, b = pair
    if not a.inverted and not b.inverted:
        return geometry_distance(a.geometry, b.geometry)
    return 0.0 if _meets(a, b) else _boundary_distance(a.geometry, b.geometry)


def _within(first: Any, second: Any) -> Any:
    pair = _shapes(first, second)
    return UNDEFINED if pair is None else _inside(*pair)


def _intersects(first: Any, second: Any) -> Any:
    pair = _shapes(first, second)
    return UNDEFINED if pair is None else _meets(*pair)


def _area(value: Any) -> Any:
    verdict = geojson.cached_validate(value)
    if verdict.geometry is None:
        return UNDEFINED
    # Points and lines have no area; a polygon's is the geodesic area on WGS-84, in square metres (st-area's
    # example polygon gives 735,970,283 m² there and 735,970,288 m² here).
    area = abs(float(_wgs84().geometry_area_perimeter(verdict.geometry)[0]))
    return _EARTH_AREA - area if verdict.inverted else area


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("ST_DISTANCE", 2, 2, _distance),
    spec("ST_WITHIN", 2, 2, _within),
    spec("ST_INTERSECTS", 2, 2, _intersects),
    spec("ST_AREA", 1, 1, _area),
    spec("ST_ISVALID", 1, 1, lambda value: geojson.validate(value).valid),
    spec("ST_ISVALIDDETAILED", 1, 1, lambda value: geojson.validate(value).detailed()),
)
