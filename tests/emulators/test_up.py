"""`python -m local_emulators up` starts every emulator; the real SDKs reach them with the printed settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from azure.cosmos import CosmosClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from tests.support.processes import REPO_ROOT, free_port, port_open

pytestmark = pytest.mark.emulator


def read_settings(proc: subprocess.Popen[str], timeout: float = 30.0) -> dict[str, str]:
    assert proc.stdout is not None
    settings: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "=" in line and not line.startswith("emulators ready"):
            name, _, value = line.strip().partition("=")
            settings[name] = value
        if {"ServiceBusConnection", "COSMOS_ENDPOINT", "COSMOS_KEY"} <= settings.keys():
            return settings
    raise AssertionError(f"up printed no settings; got {settings}")


def test_up_starts_everything_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    sb_port, cosmos_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_emulators",
            "up",
            "--servicebus-port",
            str(sb_port),
            "--cosmos-port",
            str(cosmos_port),
            "--data-dir",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        settings = read_settings(proc)
        assert f"sb://127.0.0.1:{sb_port};" in settings["ServiceBusConnection"]

        with ServiceBusClient.from_connection_string(settings["ServiceBusConnection"]) as client:
            with client.get_queue_sender("queue.1") as sender:
                sender.send_messages(ServiceBusMessage(b"hello from up"))
            with client.get_queue_receiver("queue.1", max_wait_time=5) as receiver:
                (received,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert b"".join(received.body) == b"hello from up"
                receiver.complete_message(received)

        # Trust the certificate the emulator created, as a user would with Microsoft's emulator.
        certificate = str(tmp_path / "cosmos" / "cosmos-emulator.crt")
        cosmos = CosmosClient(settings["COSMOS_ENDPOINT"], settings["COSMOS_KEY"], connection_verify=certificate)
        database = cosmos.create_database_if_not_exists("up-test")
        assert database.read()["id"] == "up-test"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert not port_open(sb_port)
    assert not port_open(cosmos_port)


def test_up_refuses_a_busy_port_with_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "local_emulators",
                "up",
                "--servicebus-port",
                str(port),
                "--cosmos-port",
                str(free_port()),
                "--data-dir",
                str(tmp_path),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
