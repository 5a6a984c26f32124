"""Trivial code blocks through the sessions emulator against a bare `python -c` subprocess, in the same run.

Three lines, each N sequential executions of `print(1)`-sized code:
- "sessions emulator": Switchboard's ACADynamicSessionsCodeExecutor over HTTP to the emulator (a warm, stateful
  sandboxed kernel per session — the production code path, offline);
- "local sandboxed": LocalCommandLineCodeExecutor (a fresh bubblewrap sandbox and interpreter per block);
- "bare python -c": the peer, an unsandboxed `python -c` subprocess per block.
Prints executions/s and p50 latency of each, and the ratios against the peer.
Run: `python benchmarks/code_execution.py [--runs 200]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchboard.agent import CancellationToken  # noqa: E402 - after the path setup
from switchboard.code_execution import CodeBlock  # noqa: E402
from switchboard.code_execution.aca import ACADynamicSessionsCodeExecutor  # noqa: E402
from switchboard.code_execution.local import LocalCommandLineCodeExecutor  # noqa: E402

TOKEN = "local-sessions-emulator-token"  # the emulator's default static token
BLOCK = CodeBlock("x = 6 * 7\nprint(x)", "python")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_emulator(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "local_emulators", "sessions", "--port", str(port), "--data-dir", str(data_dir)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the sessions emulator did not start")


async def _measure(name: str, runs: int, once: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    await once()  # warm-up: the session's kernel starts, imports are cached
    latencies = []
    started = time.perf_counter()
    for _ in range(runs):
        before = time.perf_counter()
        await once()
        latencies.append(time.perf_counter() - before)
    wall = time.perf_counter() - started
    rate, p50 = runs / wall, statistics.median(latencies) * 1000
    print(f"{name:<20} {runs:>5} runs  {rate:>8.1f} executions/s  p50 {p50:>7.2f} ms", flush=True)
    return rate, p50


async def _bare_python() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BLOCK.code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert output == b"42\n", output


async def main(runs: int) -> None:
    """Run the three lines and print the ratios."""
    with tempfile.TemporaryDirectory() as scratch:
        port = _free_port()
        emulator = _start_emulator(Path(scratch), port)
        try:
            async with ACADynamicSessionsCodeExecutor(
                f"http://127.0.0.1:{port}/", static_token=TOKEN, track_files=False
            ) as sessions:

                async def through_emulator() -> None:
                    result = await sessions.execute_code_blocks([BLOCK], CancellationToken())
                    assert (result.exit_code, result.output) == (0, "42\n"), result

                emulated = await _measure("sessions emulator", runs, through_emulator)
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
        async with LocalCommandLineCodeExecutor() as local:

            async def through_local() -> None:
                result = await local.execute_code_blocks([BLOCK], CancellationToken())
                assert (result.exit_code, result.output) == (0, "42\n"), result

            sandboxed = await _measure("local sandboxed", max(runs // 4, 10), through_local)
        bare = await _measure("bare python -c", max(runs // 4, 10), _bare_python)
    print(
        f"ratios vs bare python -c: sessions emulator {emulated[0] / bare[0]:.2f}x executions/s, "
        f"p50 {emulated[1] / bare[1]:.2f}x; local sandboxed {sandboxed[0] / bare[0]:.2f}x executions/s, "
        f"p50 {sandboxed[1] / bare[1]:.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="executions through the emulator (others: a quarter)")
    asyncio.run(main(parser.parse_args().runs))
