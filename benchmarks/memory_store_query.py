"""Memory query latency through `CosmosVectorMemory` (the product path) on the Cosmos emulator vs numpy brute force.

For each size (default 1k and 10k memories of 384 random unit vectors, MiniLM's size) the memories are written
into one scope of a memory container of the emulator (started as a process), then the same query vectors are
answered twice: by `CosmosVectorMemory.query(..., vector=v)` (the azure-cosmos SDK, HTTP, the emulator's
`ORDER BY VectorDistance` by brute force in Python) and by an in-process numpy brute force over the same matrix
(its peer). Prints p50/p99 of each and their ratio, and checks both return the same top k.
Run: `python benchmarks/memory_store_query.py [--sizes 1000 10000] [--queries 30] [--k 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azure.cosmos.aio import CosmosClient

from benchmarks.cosmos_hop_cost import KEY, start_emulator
from switchboard.memory.cosmos import CosmosMemoryConfig, CosmosVectorMemory

DIMENSIONS = 384
SCOPE = "bench:memory"


class NoEmbedder:
    """The benchmark passes vectors; an embedding call would be a bug."""

    model_name = "none"
    dimensions = DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        raise AssertionError("the benchmark queries by vector")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(endpoint: str, size: int, queries: int, k: int) -> None:
    rng = np.random.default_rng(size)
    matrix = rng.standard_normal((size, DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    probes = rng.standard_normal((queries, DIMENSIONS)).astype(np.float32)
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    async with CosmosClient(endpoint, credential=KEY) as client:
        memory = CosmosVectorMemory(
            CosmosMemoryConfig(scope=SCOPE, k=k), client=client, embedder=NoEmbedder(), container=f"memory-{size}"
        )
        container = await memory._open(DIMENSIONS)  # creates the container with its vector policy
        started = time.perf_counter()
        semaphore = asyncio.Semaphore(32)

        async def put(i: int) -> None:
            item: dict[str, Any] = {"id": f"m{i}", "scope": SCOPE, "type": "memory", "text": f"memory {i}"}
            item["content"] = item["text"]
            item |= {"mime_type": "text/plain", "metadata": {}, "embedding": [round(float(x), 6) for x in matrix[i]]}
            async with semaphore:
                await container.upsert_item(item)

        await asyncio.gather(*(put(i) for i in range(size)))
        print(f"{size:>6} memories written in {time.perf_counter() - started:.1f}s")
        stored = np.array([[round(float(x), 6) for x in row] for row in matrix], dtype=np.float64)
        emulator_ms: list[float] = []
        numpy_ms: list[float] = []
        agree = 0
        for probe in probes:
            vector = [round(float(x), 6) for x in probe]
            t0 = time.perf_counter()
            found = await memory.query("benchmark", vector=vector)
            emulator_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            scores = stored @ np.array(vector)
            top = np.argpartition(-scores, k)[:k]
            top = top[np.argsort(-scores[top])]
            numpy_ms.append((time.perf_counter() - t0) * 1000)
            agree += [r.metadata["id"] for r in found.results if r.metadata] == [f"m{i}" for i in top]
    e50, e99 = statistics.median(emulator_ms), percentile(emulator_ms, 0.99)
    n50, n99 = statistics.median(numpy_ms), percentile(numpy_ms, 0.99)
    print(
        f"{size:>6} memories, top {k}: emulator p50 {e50:.1f} ms p99 {e99:.1f} ms; numpy p50 {n50:.2f} ms "
        f"p99 {n99:.2f} ms; ratio p50 {e50 / n50:.0f}x p99 {e99 / n99:.0f}x; same top {k}: {agree}/{queries}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--k", type=int, default=3)
    options = parser.parse_args()
    proc, endpoint = start_emulator(Path(tempfile.mkdtemp()) / "cosmos")
    try:
        for size in options.sizes:
            asyncio.run(measure(endpoint, size, options.queries, options.k))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
