"""A spatial query against the same selection done by a plain query, on one Cosmos emulator container.

Both queries return the same 500-place subset of 1,500 places: the spatial one with `ST_WITHIN` (a polygon)
and `ST_DISTANCE` (a radius, geodesic metres), the plain one with numeric comparisons on stored fields that
encode the same answer. The ratio (plain ops/s over spatial ops/s) is the price of the geometry work, which
the emulator does by scanning: it has no spatial index, unlike Azure.
Called by `benchmarks/cosmos_ops.py`; alone: `python benchmarks/cosmos_spatial.py [--queries 20]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azure.cosmos import CosmosClient, DatabaseProxy, PartitionKey

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLACES = 1500
CENTRE = (-122.3321, 47.6062)
BOX = [[[-122.5, 47.4], [-122.1, 47.4], [-122.1, 47.8], [-122.5, 47.8], [-122.5, 47.4]]]


def _place(index: int) -> dict[str, Any]:
    # One place in three lies inside the box; the others lie a degree or more to the east.
    inside = index % 3 == 0
    lon = -122.45 + (index % 37) * 0.008 + (0 if inside else 1.5)
    lat = 47.45 + (index % 41) * 0.008
    return {
        "id": str(index),
        "pk": f"p{index % 10}",
        "lon": lon,
        "lat": lat,
        "inside": inside,
        "location": {"type": "Point", "coordinates": [lon, lat]},
    }


def _interleaved(count: int, runs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    # Round-robin, one query of each kind per round: on a shared machine every kind sees the same load, so the
    # ratios hold even when the absolute rates swing.
    spent = dict.fromkeys(runs, 0.0)
    for _ in range(count):
        for label, run in runs.items():
            start = time.perf_counter()
            run()
            spent[label] += time.perf_counter() - start
    rates = {label: count / seconds for label, seconds in spent.items()}
    for label, rate in rates.items():
        print(f"{label:<34} {count:>4} queries  {rate:>8.1f} queries/s")
    return rates


def measure(database: DatabaseProxy, queries: int) -> dict[str, float]:
    """Seed a container of places, then time spatial and plain queries that select the same rows."""
    container = database.create_container("places", PartitionKey("/pk"))
    for index in range(PLACES):
        container.upsert_item(_place(index))
    expected = sorted(str(index) for index in range(0, PLACES, 3))

    def ids(query: str, **params: Any) -> list[str]:
        parameters = [{"name": f"@{key}", "value": value} for key, value in params.items()]
        rows = container.query_items(query, parameters=parameters, enable_cross_partition_query=True)
        return sorted(str(row) for row in rows)

    within = "SELECT VALUE c.id FROM c WHERE ST_WITHIN(c.location, @box)"
    box = {"type": "Polygon", "coordinates": BOX}
    near = "SELECT VALUE c.id FROM c WHERE ST_DISTANCE(c.location, @here) < 60000"
    here = {"type": "Point", "coordinates": list(CENTRE)}
    plain_box = "SELECT VALUE c.id FROM c WHERE c.lon >= -122.5 AND c.lon <= -122.1 AND c.lat >= 47.4 AND c.lat <= 47.8"
    plain_flag = "SELECT VALUE c.id FROM c WHERE c.inside = true"
    for query, params in ((within, {"box": box}), (near, {"here": here}), (plain_box, {}), (plain_flag, {})):
        assert ids(query, **params) == expected, query  # same rows, so the timings compare like for like
    rates = _interleaved(
        queries,
        {
            "spatial: ST_WITHIN polygon": lambda: ids(within, box=box),
            "plain: lon/lat range comparisons": lambda: ids(plain_box),
            "spatial: ST_DISTANCE < 60 km": lambda: ids(near, here=here),
            "plain: boolean field": lambda: ids(plain_flag),
        },
    )
    rates = {
        "ST_WITHIN": rates["spatial: ST_WITHIN polygon"],
        "plain box": rates["plain: lon/lat range comparisons"],
        "ST_DISTANCE": rates["spatial: ST_DISTANCE < 60 km"],
        "plain flag": rates["plain: boolean field"],
    }
    print(f"ratio plain/spatial ST_WITHIN:   {rates['plain box'] / rates['ST_WITHIN']:.2f}")
    print(f"ratio plain/spatial ST_DISTANCE: {rates['plain flag'] / rates['ST_DISTANCE']:.2f}")
    return rates


def main() -> int:
    from benchmarks.cosmos_ops import KEY, _free_port, _start

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    import tempfile

    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start(Path(tmp), port)
        try:
            client = CosmosClient(f"http://127.0.0.1:{port}/", credential=KEY)
            measure(client.create_database("bench"), args.queries)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
