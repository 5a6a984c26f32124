"""Top-k vector query latency through the azure-cosmos SDK and our Cosmos emulator vs in-process numpy.

Stores N random 384-dimensional embeddings (a memory scoped to one partition key, as an agent memory is)
in a container with a cosine vector policy, then times `SELECT TOP k ... ORDER BY VectorDistance(c.embedding,
@q)` with a fresh random query vector each time, p50 and p99, against an in-process numpy brute force over
the same vectors (normalised matrix times query, argpartition) measured in the same run. Prints the ratio
emulator / numpy, and checks the emulator returns the same top k as numpy. Both sides prepare their
matrix once before the timed queries (numpy normalises it; the emulator converts stored vectors on an
untimed first query).
Run: `python benchmarks/memory_query.py [--sizes 1000 10000] [--queries 50] [--k 10] [--dimensions 384]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from azure.cosmos import ContainerProxy, CosmosClient, PartitionKey

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.cosmos_ops import KEY, _free_port, _start  # noqa: E402

QUERY = "SELECT TOP @k c.id FROM c ORDER BY VectorDistance(c.embedding, @q)"
BATCH = 100  # a transactional batch holds at most 100 operations


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _fill(container: ContainerProxy, vectors: np.ndarray) -> None:
    rows = vectors.round(6).tolist()
    for start in range(0, len(rows), BATCH):
        operations = [
            ("upsert", ({"id": f"m{i}", "user": "u1", "embedding": rows[i]},))
            for i in range(start, min(start + BATCH, len(rows)))
        ]
        container.execute_item_batch(operations, partition_key="u1")


def _run(client: CosmosClient, size: int, queries: int, k: int, dimensions: int, rng: np.random.Generator) -> None:
    database = client.create_database_if_not_exists("memory-bench")
    policy = {
        "vectorEmbeddings": [
            {"path": "/embedding", "dataType": "float32", "distanceFunction": "cosine", "dimensions": dimensions}
        ]
    }
    indexing = {
        "includedPaths": [{"path": "/*"}],
        "excludedPaths": [{"path": "/embedding/*"}],
        "vectorIndexes": [{"path": "/embedding", "type": "quantizedFlat"}],
    }
    container = database.create_container(
        f"m{size}", PartitionKey("/user"), vector_embedding_policy=policy, indexing_policy=indexing
    )
    vectors = rng.standard_normal((size, dimensions)).astype(np.float32)
    started = time.perf_counter()
    _fill(container, vectors)
    fill_seconds = time.perf_counter() - started
    stored = np.asarray(vectors.round(6), dtype=np.float64)
    normalised = stored / np.linalg.norm(stored, axis=1, keepdims=True)

    # One untimed query first: the emulator converts the stored vectors to arrays once (as numpy's side
    # builds `normalised` once above), then every timed query reuses them.
    warm = [{"name": "@k", "value": k}, {"name": "@q", "value": rng.standard_normal(dimensions).round(6).tolist()}]
    list(container.query_items(QUERY, parameters=warm, partition_key="u1"))
    emulator_ms: list[float] = []
    numpy_ms: list[float] = []
    mismatches = 0
    for _ in range(queries):
        query = rng.standard_normal(dimensions).round(6)
        params = [{"name": "@k", "value": k}, {"name": "@q", "value": query.tolist()}]
        t0 = time.perf_counter()
        found = [row["id"] for row in container.query_items(QUERY, parameters=params, partition_key="u1")]
        emulator_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        scores = normalised @ (query / np.linalg.norm(query))
        best = np.argpartition(-scores, k)[:k]
        expected = [f"m{i}" for i in best[np.argsort(-scores[best])]]
        numpy_ms.append((time.perf_counter() - t0) * 1000)
        mismatches += found != expected
    database.delete_container(container)
    e50, e99 = statistics.median(emulator_ms), _percentile(emulator_ms, 0.99)
    n50, n99 = statistics.median(numpy_ms), _percentile(numpy_ms, 0.99)
    print(
        f"{size:>6} vectors x {dimensions}: emulator+SDK p50 {e50:7.2f} ms p99 {e99:7.2f} ms | "
        f"numpy p50 {n50:6.3f} ms p99 {n99:6.3f} ms | ratio p50 {e50 / n50:7.0f}x p99 {e99 / n99:7.0f}x | "
        f"top-{k} mismatches {mismatches}/{queries} | fill {fill_seconds:.1f} s"
    )


def main() -> None:
    """Parse arguments, start an emulator, measure each size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dimensions", type=int, default=384)
    args = parser.parse_args()
    rng = np.random.default_rng(17)
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc = _start(Path(data_dir), port)
        try:
            client = CosmosClient(f"http://127.0.0.1:{port}", credential=KEY)
            for size in args.sizes:
                _run(client, size, args.queries, args.k, args.dimensions, rng)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
