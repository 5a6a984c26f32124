"""GeoJSON in Cosmos DB's geography model: which objects are valid, and why not.

Cosmos DB indexes and queries GeoJSON Point, LineString, Polygon and MultiPolygon with WGS-84 coordinates
given as `[longitude, latitude]` (learn.microsoft.com/azure/cosmos-db/nosql/query/geospatial). An invalid
geometry is neither indexed nor matched: spatial functions treat it as undefined. The reasons follow the
service's wording (`ST_ISVALIDDETAILED`'s documented example gives the latitude message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local_emulators.cosmos.query.values import is_number

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

SUPPORTED_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Verdict:
    """The outcome of validating one GeoJSON value.

    Attributes:
        valid: Whether Cosmos DB would index and match it.
        reason: Why it is not valid ("" when it is).
        geometry: The shapely geometry in lon/lat degrees when valid.
        inverted: A Polygon given clockwise: in the geography model it stands for the rest of the globe,
            outside its ring ("a polygon specified in clockwise order represents the inverse of the region
            within it", ST_ISVALIDDETAILED's remarks). `geometry` is then the excluded area.
    """

    valid: bool
    reason: str = ""
    geometry: BaseGeometry | None = None
    inverted: bool = False

    def detailed(self) -> dict[str, Any]:
        """The JSON object `ST_ISVALIDDETAILED` returns."""
        return {"valid": True} if self.valid else {"valid": False, "reason": self.reason}


def _position_problem(position: Any) -> str:
    if not isinstance(position, list) or len(position) < 2 or not all(is_number(v) for v in position):
        return "A position must be an array of at least two numbers: longitude and latitude."
    longitude, latitude = float(position[0]), float(position[1])
    if not -90.0 <= latitude <= 90.0:
        return "Latitude values must be between -90 and 90 degrees."
    if not -180.0 <= longitude <= 180.0:
        return "Longitude values must be between -180 and 180 degrees."
    return ""


def _positions_problem(positions: Any, kind: str, minimum: int) -> str:
    if not isinstance(positions, list) or len(positions) < minimum:
        return f"The {kind} input is not valid because it does not have enough points; it needs at least {minimum}."
    for position in positions:
        problem = _position_problem(position)
        if problem:
            return problem
    return ""


def _polygon_problem(rings: Any) -> str:
    if not isinstance(rings, list) or not rings:
        return "The Polygon input is not valid because it has no rings."
    for number, ring in enumerate(rings, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            return (
                f"The Polygon input is not valid because the ring number {number} does not have enough points. "
                "Each ring of a polygon must contain at least four points."
            )
        problem = _positions_problem(ring, "Polygon", 4)
        if problem:
            return problem
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return (
                f"The Polygon input is not valid because the start and end points of the ring number {number} "
                "are not the same. Each ring of a polygon must have the same start and end points."
            )
    return ""


def _structure_problem(kind: str, coordinates: Any) -> str:
    if kind == "Point":
        return _position_problem(coordinates)
    if kind == "LineString":
        return _positions_problem(coordinates, "LineString", 2)
    if kind == "Polygon":
        return _polygon_problem(coordinates)
    if not isinstance(coordinates, list) or not coordinates:
        return "The MultiPolygon input is not valid because it has no polygons."
    for polygon in coordinates:
        problem = _polygon_problem(polygon)
        if problem:
            return problem
    return ""


def validate(value: Any) -> Verdict:
    """Validate a value as a Cosmos DB GeoJSON geometry.

    Args:
        value: Any JSON value.

    Returns:
        The verdict, with the geometry when valid.
    """
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return Verdict(False, "The input is not a GeoJSON object with a 'type'.")
    kind = value["type"]
    if kind not in SUPPORTED_TYPES:
        return Verdict(False, f"The GeoJSON type '{kind}' is not supported; use one of {', '.join(SUPPORTED_TYPES)}.")
    problem = _structure_problem(kind, value.get("coordinates"))
    if problem:
        return Verdict(False, problem)
    # shapely (and numpy under it) load on the first spatial query, not at the emulator's start-up.
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    geometry = shape({"type": kind, "coordinates": value["coordinates"]})
    if kind in ("Polygon", "MultiPolygon") and not geometry.is_valid:
        # Self-crossing rings or overlapping polygons: shapely says where.
        return Verdict(
            False, f"The {kind} input is not valid because its rings cross or touch: {explain_validity(geometry)}."
        )
    inverted = kind == "Polygon" and not geometry.exterior.is_ccw
    return Verdict(True, geometry=geometry, inverted=inverted)


# Verdicts by object identity: a query's parameter and a stored document's geometry are the same Python
# objects on every row and every run (stored bodies are replaced on write, never changed in place), so each
# is parsed once. The cache holds the value itself, so its id cannot be reused while the entry lives.
_CACHE: dict[int, tuple[Any, Verdict]] = {}
_CACHE_LIMIT = 8192


def cached_validate(value: Any) -> Verdict:
    """`validate`, remembered for the same object."""
    hit = _CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    verdict = validate(value)
    if isinstance(value, dict):
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[id(value)] = (value, verdict)
    return verdict


def geometry_of(value: Any) -> BaseGeometry | None:
    """The shapely geometry of a valid GeoJSON value, else None (an invalid geometry is undefined)."""
    return cached_validate(value).geometry
