"""Point reads, upserts and a paged query through the real azure-cosmos SDK against our Cosmos emulator.

Prints ops/s and, measured in the same run, the emulator's CPU time per operation (from /proc) against the
SDK client's (this process). Targets: >= 1,000 point reads/s; emulator CPU per op <= half the client's.
The sync SDK costs far more CPU per call than the emulator, so one client process cannot saturate it;
`--clients N` adds a run where N client processes read at once, measuring the emulator's throughput.
The paged query returns a whole 500-document container; an extra "selective" line (not a target) shows a
query that scans 1,500 documents to return 500, where the emulator's share is higher.
A spatial section (`benchmarks/cosmos_spatial.py`) times ST_WITHIN/ST_DISTANCE queries against plain queries
that select the same rows, and prints the ratios.
Run: `python benchmarks/cosmos_ops.py [--reads 3000] [--upserts 1000] [--queries 50] [--clients 2]
[--spatial-queries 20]`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.cosmos_spatial import measure as measure_spatial

REPO = Path(__file__).resolve().parents[1]
KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _start(data_dir: Path, port: int, partitions: int = 0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "local_emulators.cosmos", "--port", str(port), "--data-dir", str(data_dir)]
    if partitions:
        args += ["--partitions", str(partitions)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("emulator did not start")


def _measure(name: str, count: int, pid: int, work: Callable[[], None]) -> dict[str, float]:
    server_before, client_before, wall_before = _process_cpu(pid), time.process_time(), time.perf_counter()
    work()
    wall = time.perf_counter() - wall_before
    client = time.process_time() - client_before
    server = _process_cpu(pid) - server_before
    row = {
        "ops_per_s": count / wall,
        "server_us_per_op": server / count * 1e6,
        "client_us_per_op": client / count * 1e6,
        "ratio": server / client if client else float("inf"),
    }
    print(
        f"{name:<22} {count:>6} ops  {row['ops_per_s']:>8.0f} ops/s  emulator CPU {row['server_us_per_op']:>7.0f} us/op"
        f"  client CPU {row['client_us_per_op']:>7.0f} us/op  emulator/client {row['ratio']:.2f}"
    )
    return row


def _reader(
    endpoint: str, count: int, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue[float]
) -> None:
    """One client process: point reads; reports its own CPU seconds for them."""
    container = CosmosClient(endpoint, credential=KEY).get_database_client("bench").get_container_client("items")
    container.read_item("0", "p0")
    start.wait()
    before = time.process_time()
    for index in range(count):
        container.read_item(str(index % 500), f"p{index % 500 % 10}")
    out.put(time.process_time() - before)


def _parallel_reads(endpoint: str, clients: int, per_client: int, pid: int) -> dict[str, float]:
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    workers = [context.Process(target=_reader, args=(endpoint, per_client, start, out)) for _ in range(clients)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # let every client connect and warm up before the clock starts
    server_before, wall_before = _process_cpu(pid), time.perf_counter()
    start.set()
    client_cpu = sum(out.get(timeout=300) for _ in workers)
    wall = time.perf_counter() - wall_before
    server = _process_cpu(pid) - server_before
    for worker in workers:
        worker.join()
    count = clients * per_client
    row = {
        "ops_per_s": count / wall,
        "server_us_per_op": server / count * 1e6,
        "client_us_per_op": client_cpu / count * 1e6,
        "ratio": server / client_cpu if client_cpu else float("inf"),
    }
    name = f"point reads x{clients} clients"
    print(
        f"{name:<22} {count:>6} ops  {row['ops_per_s']:>8.0f} ops/s  emulator CPU {row['server_us_per_op']:>7.0f} us/op"
        f"  client CPU {row['client_us_per_op']:>7.0f} us/op  emulator/client {row['ratio']:.2f}"
    )
    return row


_SPROC = """
function createMany(prefix, count) {
    var collection = getContext().getCollection();
    var created = 0;
    for (var i = 0; i < count; i++) {
        collection.createDocument(collection.getSelfLink(), {id: prefix + i, pk: 'sp', n: i}, function (err) {
            if (err) throw err;
            created += 1;
            getContext().getResponse().setBody(created);
        });
    }
}
"""


def _sproc_against_points(database: DatabaseProxy, count: int) -> float:
    """Time one stored procedure writing `count` items against `count` point creates; prints the ratio."""
    target = database.create_container("sproc", PartitionKey("/pk"))
    target.scripts.create_stored_procedure({"id": "createMany", "body": _SPROC})
    started = time.perf_counter()
    for index in range(count):
        target.create_item({"id": f"pt{index}", "pk": "sp", "n": index})
    points = time.perf_counter() - started
    started = time.perf_counter()
    params: Any = ["sp", count]
    assert target.scripts.execute_stored_procedure("createMany", partition_key="sp", params=params) == count
    procedure = time.perf_counter() - started
    ratio = procedure / points
    print(
        f"{count} creates: stored procedure {procedure * 1000:.0f} ms, point creates {points * 1000:.0f} ms,"
        f"  procedure/points {ratio:.2f}"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=3000)
    parser.add_argument("--upserts", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=50, help="paged queries, 500 rows each in pages of 100")
    parser.add_argument("--sproc-items", type=int, default=200, help="items one stored procedure writes")
    parser.add_argument("--clients", type=int, default=2, help="client processes for the parallel read run (0: skip)")
    parser.add_argument(
        "--partitions",
        type=int,
        default=0,
        help=(
            "force this many ranges per container (0: Azure's layout, one range for these 400 RU/s containers; "
            "5 makes the paged query cross-partition, merged by the SDK's own ORDER BY pipeline)"
        ),
    )
    parser.add_argument("--spatial-queries", type=int, default=20, help="queries per spatial/plain line (0: skip)")
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start(Path(tmp), port, args.partitions)
        try:
            client = CosmosClient(f"http://127.0.0.1:{port}/", credential=KEY)
            database = client.create_database("bench")
            container = database.create_container("items", PartitionKey("/pk"))
            # Upserts go to their own container so the query's 500 rows stay the whole container.
            writes = database.create_container("writes", PartitionKey("/pk"))
            for index in range(500):
                container.upsert_item(
                    {"id": str(index), "pk": f"p{index % 10}", "n": index, "kind": "seed", "text": "x" * 200}
                )
            container.read_item("0", "p0")  # warm caches on both sides

            def reads() -> None:
                for index in range(args.reads):
                    container.read_item(str(index % 500), f"p{index % 500 % 10}")

            def upserts() -> None:
                for index in range(args.upserts):
                    writes.upsert_item({"id": f"u{index}", "pk": f"p{index % 10}", "n": index, "text": "y" * 200})

            def paged_query(target: ContainerProxy) -> Callable[[], None]:
                def run() -> None:
                    for _ in range(args.queries):
                        pages = target.query_items(
                            "SELECT * FROM c WHERE c.kind = @kind ORDER BY c.n",
                            parameters=[{"name": "@kind", "value": "seed"}],
                            enable_cross_partition_query=True,
                            max_item_count=100,
                        ).by_page()
                        rows = sum(len(list(page)) for page in pages)
                        assert rows == 500

                return run

            def selective_setup() -> ContainerProxy:
                mixed = database.create_container("mixed", PartitionKey("/pk"))
                for index in range(1500):
                    kind = "seed" if index % 3 == 0 else "other"
                    mixed.upsert_item(
                        {"id": str(index), "pk": f"p{index % 10}", "n": index, "kind": kind, "text": "z" * 200}
                    )
                return mixed

            results = {
                "point reads": _measure("point reads", args.reads, proc.pid, reads),
                "upserts": _measure("upserts", args.upserts, proc.pid, upserts),
                "paged query": _measure("paged query (5 pages)", args.queries, proc.pid, paged_query(container)),
            }
            # Not a target line: the emulator scans 1,500 documents to return 500, the client only sees the 500.
            _measure("selective query 1/3", args.queries, proc.pid, paged_query(selective_setup()))
            if args.spatial_queries > 0:
                measure_spatial(database, args.spatial_queries)
            _sproc_against_points(database, args.sproc_items)
            if args.clients > 0:
                endpoint = f"http://127.0.0.1:{port}/"
                per_client = args.reads // args.clients
                results["parallel reads"] = _parallel_reads(endpoint, args.clients, per_client, proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    reads_ok = max(results["point reads"]["ops_per_s"], results.get("parallel reads", {}).get("ops_per_s", 0)) >= 1000
    ratio_ok = all(row["ratio"] <= 0.5 for row in results.values())
    print(f"target >= 1000 point reads/s: {'met' if reads_ok else 'MISSED'}")
    print(f"target emulator CPU <= half the client's: {'met' if ratio_ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
