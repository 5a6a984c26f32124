"""Spatial functions and the spatial index policy through the real azure-cosmos SDK (sync and aio).

Distances are checked against geographiclib's WGS-84 geodesics computed here, at a 1 mm tolerance.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.cosmos import ContainerProxy, DatabaseProxy, PartitionKey, exceptions
from azure.cosmos.aio import CosmosClient as AsyncCosmosClient
from geographiclib.geodesic import Geodesic

from tests.emulators.cosmos.cosmos_harness import Emulator

SEATTLE = (-122.3321, 47.6062)
PORTLAND = (-122.6765, 45.5231)
VANCOUVER = (-123.1207, 49.2827)
# A lon/lat box around Seattle (counter-clockwise, closed).
SEATTLE_BOX = [[[-122.5, 47.5], [-122.2, 47.5], [-122.2, 47.7], [-122.5, 47.7], [-122.5, 47.5]]]


def _point(position: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(position)}


def _geodesic(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"])


def _edge_midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    line = Geodesic.WGS84.InverseLine(a[1], a[0], b[1], b[0])
    middle = line.Position(line.s13 / 2)
    return (middle["lon2"], middle["lat2"])


def _to_edge(point: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    # Brute force: 4,001 positions along the edge's geodesic; near the minimum the error is quadratic (< 1 cm).
    line = Geodesic.WGS84.InverseLine(a[1], a[0], b[1], b[0])
    positions = (line.Position(line.s13 * step / 4000) for step in range(4001))
    return min(_geodesic(point, (p["lon2"], p["lat2"])) for p in positions)


def _values(container: ContainerProxy, query: str, **params: Any) -> list[Any]:
    parameters = [{"name": f"@{k}", "value": v} for k, v in params.items()]
    return list(container.query_items(query, parameters=parameters, enable_cross_partition_query=True))


@pytest.fixture
def cities(container: ContainerProxy) -> ContainerProxy:
    for name, position in (("portland", PORTLAND), ("seattle", SEATTLE), ("vancouver", VANCOUVER)):
        container.create_item({"id": name, "pk": name, "location": _point(position)})
    container.create_item({"id": "broken", "pk": "broken", "location": _point((10.0, 95.0))})
    return container


def test_st_distance_is_the_wgs84_geodesic_in_metres(cities: ContainerProxy) -> None:
    rows = _values(
        cities,
        "SELECT c.id, ST_DISTANCE(c.location, @here) AS d FROM c WHERE IS_DEFINED(ST_DISTANCE(c.location, @here))",
        here=_point(SEATTLE),
    )
    got = {row["id"]: row["d"] for row in rows}
    assert set(got) == {"portland", "seattle", "vancouver"}  # the invalid point is undefined, so absent
    assert got["seattle"] == 0
    assert got["portland"] == pytest.approx(_geodesic(SEATTLE, PORTLAND), abs=1e-3)
    assert got["vancouver"] == pytest.approx(_geodesic(SEATTLE, VANCOUVER), abs=1e-3)


def test_st_distance_matches_the_documented_example(container: ContainerProxy) -> None:
    # learn.microsoft.com/azure/cosmos-db/nosql/query/st-distance: Azure's own answers, in kilometres.
    offices = {"hq": [-122.12826822304672, 47.63980239335718], "rd": [-96.84368664765994, 46.81297794314663]}
    for name, position in offices.items():
        container.create_item({"id": name, "pk": name, "location": {"type": "Point", "coordinates": position}})
    here = {"type": "Point", "coordinates": [-122.11758113953535, 47.66901087006131]}
    query = "SELECT c.id, ST_DISTANCE(c.location, @here) / 1000 AS km FROM c"
    got = {row["id"]: row["km"] for row in _values(container, query, here=here)}
    assert got["hq"] == pytest.approx(3.345269817267368, rel=1e-7)
    assert got["rd"] == pytest.approx(1907.438421299902, rel=1e-7)


def test_st_distance_filters_and_orders(cities: ContainerProxy) -> None:
    limit = (_geodesic(SEATTLE, PORTLAND) + _geodesic(SEATTLE, VANCOUVER)) / 2
    query = "SELECT VALUE c.id FROM c WHERE ST_DISTANCE(c.location, @here) < @limit"
    nearer = _values(cities, query, here=_point(SEATTLE), limit=limit)
    assert sorted(nearer) == sorted(["seattle", "vancouver"] if _geodesic(SEATTLE, VANCOUVER) < limit else ["seattle"])


def test_distance_from_a_point_to_a_polygon_and_a_line(container: ContainerProxy) -> None:
    box = {"type": "Polygon", "coordinates": SEATTLE_BOX}
    line = {"type": "LineString", "coordinates": [[-122.5, 47.0], [-122.2, 47.0]]}
    container.create_item({"id": "x", "pk": "x", "box": box, "line": line})
    query = "SELECT VALUE [ST_DISTANCE(@p, c.box), ST_DISTANCE(@inside, c.box), ST_DISTANCE(@q, c.line)] FROM c"
    (row,) = _values(container, query, p=_point((-122.35, 48.0)), inside=_point(SEATTLE), q=_point((-122.35, 46.5)))
    # Edges are geodesics, which bulge poleward of the parallel; by symmetry the nearest edge point to a
    # point due north (or south) of an edge's middle is the geodesic's midpoint.
    top = _edge_midpoint((-122.5, 47.7), (-122.2, 47.7))
    bottom = _edge_midpoint((-122.5, 47.0), (-122.2, 47.0))
    assert row[0] == pytest.approx(_geodesic((-122.35, 48.0), top), abs=1e-3)
    assert row[0] < _geodesic((-122.35, 48.0), (-122.35, 47.7)) - 5  # the bulge is real: ~11 m here
    assert row[1] == 0
    assert row[2] == pytest.approx(_geodesic((-122.35, 46.5), bottom), abs=1e-3)


def test_st_within_and_st_intersects(cities: ContainerProxy) -> None:
    box = {"type": "Polygon", "coordinates": SEATTLE_BOX}
    assert _values(cities, "SELECT VALUE c.id FROM c WHERE ST_WITHIN(c.location, @box)", box=box) == ["seattle"]
    crossing = {"type": "LineString", "coordinates": [[-123.0, 47.6], [-122.0, 47.6]]}
    assert _values(
        cities, "SELECT VALUE ST_INTERSECTS(@line, @box) FROM c WHERE c.id = 'seattle'", line=crossing, box=box
    ) == [True]
    multi = {"type": "MultiPolygon", "coordinates": [SEATTLE_BOX, [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]]}
    found = _values(cities, "SELECT VALUE c.id FROM c WHERE ST_INTERSECTS(c.location, @m)", m=multi)
    assert found == ["seattle"]


def test_spatial_filters_in_cross_partition_plans(cities: ContainerProxy) -> None:
    # ORDER BY and VALUE aggregates go through the query plan: the rewritten query must carry the spatial filter.
    box = {"type": "Polygon", "coordinates": [[[-124, 45], [-122, 45], [-122, 50], [-124, 50], [-124, 45]]]}
    counted = _values(cities, "SELECT VALUE COUNT(1) FROM c WHERE ST_WITHIN(c.location, @box)", box=box)
    assert counted == [3]
    ordered = _values(
        cities, "SELECT VALUE c.id FROM c WHERE ST_INTERSECTS(c.location, @box) ORDER BY c.id DESC", box=box
    )
    assert ordered == ["vancouver", "seattle", "portland"]


def test_a_clockwise_polygon_is_the_rest_of_the_globe(cities: ContainerProxy) -> None:
    # "A polygon specified in clockwise order represents the inverse of the region within it."
    clockwise = {"type": "Polygon", "coordinates": [list(reversed(SEATTLE_BOX[0]))]}
    outside = _values(cities, "SELECT VALUE c.id FROM c WHERE ST_WITHIN(c.location, @p)", p=clockwise)
    assert sorted(outside) == ["portland", "vancouver"]
    query = "SELECT VALUE [ST_INTERSECTS(c.location, @p), ST_DISTANCE(c.location, @p)] FROM c WHERE c.id = 'seattle'"
    ((meets, distance),) = _values(cities, query, p=clockwise)
    assert meets is False
    # Seattle sits inside the excluded box: its distance to the region is that to the box's nearest edge.
    edges = list(zip(SEATTLE_BOX[0], SEATTLE_BOX[0][1:], strict=False))
    nearest = min(_to_edge(SEATTLE, (a[0], a[1]), (b[0], b[1])) for a, b in edges)
    assert distance == pytest.approx(nearest, abs=0.05)


def test_st_area_of_the_documented_polygon(container: ContainerProxy) -> None:
    container.create_item({"id": "x", "pk": "x"})
    ring = [[31.8, -5], [32, -5], [32, -4.7], [31.8, -4.7], [31.8, -5]]
    (area,) = _values(container, "SELECT VALUE ST_AREA(@p) FROM c", p={"type": "Polygon", "coordinates": [ring]})
    assert area == pytest.approx(735970283.0522614, rel=1e-8)  # learn.microsoft.com's st-area example


def test_st_isvalid_and_detailed(container: ContainerProxy) -> None:
    container.create_item({"id": "x", "pk": "x"})
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    query = (
        "SELECT VALUE [ST_ISVALID(@good), ST_ISVALID(@bad), ST_ISVALIDDETAILED(@good), ST_ISVALIDDETAILED(@bad),"
        " ST_ISVALIDDETAILED(@ring)] FROM c"
    )
    (row,) = _values(container, query, good=_point(SEATTLE), bad=_point((133.75, -184.38)), ring=open_ring)
    assert row[:3] == [True, False, {"valid": True}]
    assert row[3] == {"valid": False, "reason": "Latitude values must be between -90 and 90 degrees."}
    assert row[4]["valid"] is False
    assert "start and end points of the ring number 1" in row[4]["reason"]


def test_spatial_index_policy_is_kept_and_validated(database: DatabaseProxy) -> None:
    policy = {"spatialIndexes": [{"path": "/location/*", "types": ["Point", "Polygon", "MultiPolygon", "LineString"]}]}
    created = database.create_container("geo", PartitionKey("/pk"), indexing_policy=policy)
    stored = created.read()["indexingPolicy"]["spatialIndexes"]
    assert stored == policy["spatialIndexes"]
    bad = {"spatialIndexes": [{"path": "/location/*", "types": ["Circle"]}]}
    with pytest.raises(exceptions.CosmosHttpResponseError) as caught:
        database.create_container("geo2", PartitionKey("/pk"), indexing_policy=bad)
    assert caught.value.status_code == 400
    assert "Circle" in str(caught.value.message)


async def test_spatial_query_through_the_async_client(emulator: Emulator) -> None:
    async with AsyncCosmosClient(emulator.http, credential=emulator.key) as client:
        name = f"aio-geo-{uuid.uuid4().hex[:8]}"
        db = await client.create_database(name)
        try:
            container = await db.create_container("c", PartitionKey("/pk"))
            await container.create_item({"id": "s", "pk": "s", "location": _point(SEATTLE)})
            query = "SELECT VALUE ST_DISTANCE(c.location, @p) FROM c"
            rows = [
                r async for r in container.query_items(query, parameters=[{"name": "@p", "value": _point(PORTLAND)}])
            ]
            assert rows == [pytest.approx(_geodesic(SEATTLE, PORTLAND), abs=1e-3)]
        finally:
            await client.delete_database(name)
