"""`switchboard.cli.free_ports`: ports for child servers are never handed out twice, nor given to a port 0 request.

A duplicate once gave the Service Bus and Cosmos DB emulators of one `LocalStack` the same port; `up` then lost one
of them and the CLI found nothing listening. Another time a host's settlement server, binding port 0, was given the
HTTP port its test had just been handed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from switchboard.cli import free_ports
from switchboard.cli.free_ports import NoFreePortError, free_port
from tests.support.processes import REPO_ROOT

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_CHILD = "from switchboard.cli.free_ports import free_port\nprint(' '.join(str(free_port()) for _ in range(150)))"


@pytest.fixture(autouse=True)
def own_claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Claims in this test's own temporary directory, and no ports remembered from other tests of this process."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr(free_ports, "_claimed_here", set())
    return free_ports.claims_dir()


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_ports_handed_out_in_one_process_are_distinct_bindable_and_claimed(own_claims: Path) -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(_bindable(port) for port in ports[:20])
    assert {int(path.name) for path in own_claims.iterdir()} == set(ports)


def test_two_processes_asking_at_once_never_get_the_same_port(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    children = [
        subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    mine = [free_port() for _ in range(150)]
    theirs = [child.communicate(timeout=60)[0].split() for child in children]
    assert all(child.returncode == 0 for child in children)
    everyone = mine + [int(port) for ports in theirs for port in ports]
    assert len(everyone) == 450
    assert len(set(everyone)) == 450


def test_ports_are_handed_out_where_port_0_requests_never_land() -> None:
    low, high = (int(bound) for bound in EPHEMERAL_RANGE.read_text().split())
    handed_out = {free_port() for _ in range(50)}
    assert not [port for port in handed_out if low <= port <= high]
    # What once went wrong: a server binding port 0 right after a port was handed out was given that very port.
    for _ in range(500):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            assert sock.getsockname()[1] not in handed_out


def _claim_every_port(directory: Path, mtime: float) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for port in free_ports.PORTS:
        path = directory / str(port)
        path.touch()
        os.utime(path, (mtime, mtime))


def test_a_fresh_claim_of_another_process_is_respected(own_claims: Path) -> None:
    _claim_every_port(own_claims, time.time())
    with pytest.raises(NoFreePortError, match="no unclaimed port"):
        free_port()


def test_a_stale_claim_is_taken_over_and_renewed(own_claims: Path) -> None:
    _claim_every_port(own_claims, time.time() - free_ports.CLAIM_SECONDS - 5)
    port = free_port()
    assert time.time() - (own_claims / str(port)).stat().st_mtime < 5
    assert not list(own_claims.glob("*.stale.*"))
