"""The emulator as a process: CLI, start-up time, config errors, control plane, many clients at once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient as AsyncClient

from tests.emulators.servicebus.conftest import Emulator, launch
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.emulator


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_emulators.servicebus", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_help_explains_every_option() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for option in ("--host", "--port", "--control-port", "--config", "--data-dir", "--log-level"):
        assert option in result.stdout


def test_invalid_config_is_a_startup_error_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text(
        '{\n  "UserConfig": {\n    "Namespaces": [\n      {"Name": "sbemulatorns", "Queues": [{"Nam": "q"}]}\n'
        "    ]\n  }\n}\n"
    )
    result = _run("--config", str(bad), "--port", "0", "--control-port", "0")
    assert result.returncode == 2
    assert f"{bad}:4" in result.stderr
    missing = _run("--config", str(tmp_path / "absent.json"), "--port", "0", "--control-port", "0")
    assert missing.returncode == 2
    assert "absent.json" in missing.stderr


def test_starts_healthy_and_logs_one_line_per_connection(tmp_path: Path) -> None:
    # Start-up time is a benchmark figure, not a test assertion (this machine is shared and noisy).
    emulator = launch(tmp_path)
    try:
        assert emulator.control("/health") == {"status": "healthy", "message": "Service is healthy."}
        asyncio.run(_send_concurrently(emulator, clients=3))
        time.sleep(0.2)
        assert emulator.process.log().count("connection ") == 3
    finally:
        emulator.process.stop()


def test_control_plane_lists_counts_and_resets(sb: Emulator) -> None:
    asyncio.run(_send_concurrently(sb, clients=2))
    rows = {row["name"]: row for row in sb.control("/entities")["entities"]}
    assert rows["q"]["active"] == 2
    assert rows["q"]["type"] == "queue"
    assert rows["t/Subscriptions/all"]["type"] == "subscription"
    assert rows["q/$DeadLetterQueue"]["total"] == 0
    assert sb.control("/reset", "POST") == {"status": "reset"}
    assert sb.counts("q")["total"] == 0
    with pytest.raises(urllib.error.HTTPError) as missing:
        sb.control("/nothing")
    assert missing.value.code == 404


async def _send_concurrently(emulator: Emulator, clients: int) -> None:
    async def one(i: int) -> None:
        client = AsyncClient.from_connection_string(emulator.connection_string)
        async with client, client.get_queue_sender("q") as sender:
            await sender.send_messages(ServiceBusMessage(f"c{i}"))

    await asyncio.gather(*(one(i) for i in range(clients)))


def test_a_hundred_concurrent_clients(sb: Emulator) -> None:
    async def scenario() -> list[str]:
        clients = [AsyncClient.from_connection_string(sb.connection_string) for _ in range(100)]
        senders = [c.get_queue_sender("q") for c in clients]
        try:
            await asyncio.gather(*(s.__aenter__() for s in senders))  # 100 connections open at once
            await asyncio.gather(*(s.send_messages(ServiceBusMessage(f"c{i}")) for i, s in enumerate(senders)))
            async with clients[0].get_queue_receiver("q") as receiver:
                got: list[str] = []
                while len(got) < 100:
                    batch = await receiver.receive_messages(max_message_count=100, max_wait_time=3)
                    assert batch
                    for message in batch:
                        await receiver.complete_message(message)
                    got += [str(m) for m in batch]
                return got
        finally:
            await asyncio.gather(*(s.close() for s in senders))
            await asyncio.gather(*(c.close() for c in clients))

    got = asyncio.run(scenario())
    assert sorted(got) == sorted(f"c{i}" for i in range(100))
    assert sb.counts("q")["total"] == 0
