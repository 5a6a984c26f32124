"""Each sandbox property of the sessions emulator: timeout, memory cap, output cap, no secrets, no writes outside,
no network, isolation between sessions, and idle expiry."""

from __future__ import annotations

import ast
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.sessions import HOST_SECRET, SessionsEmulator, start_sessions_emulator

pytestmark = pytest.mark.emulator


def test_the_request_timeout_stops_the_code_and_resets_the_session(sessions: SessionsEmulator) -> None:
    sessions.execute("kept = 1", "timeout-1")
    started = time.monotonic()
    reply = sessions.execute("import time\nwhile True: time.sleep(0.1)", "timeout-1", timeoutInSeconds=1)
    assert time.monotonic() - started < 8
    assert reply["status"] == "Failed"
    assert "timed out after 1 seconds" in reply["result"]["stderr"]
    after = sessions.execute("'kept' in globals()", "timeout-1")
    assert after["result"]["executionResult"] is False


def test_the_memory_cap_fails_a_large_allocation(sessions: SessionsEmulator) -> None:
    reply = sessions.execute("block = bytearray(1024 * 1024 * 1024)", "memory-1")
    assert reply["status"] == "Failed"
    assert "MemoryError" in reply["result"]["stderr"]
    assert sessions.execute("len(bytearray(32 * 1024 * 1024))", "memory-1")["result"]["executionResult"] == 33554432


def test_output_is_capped(sessions: SessionsEmulator) -> None:
    reply = sessions.execute("print('z' * 100_000)", "output-1")
    assert reply["result"]["stdout"] == "z" * 4000
    assert "output truncated" in reply["result"]["stderr"]


def test_no_secret_of_the_emulator_reaches_the_code(sessions: SessionsEmulator) -> None:
    code = (
        "import os, glob\n"
        "seen = str(dict(os.environ))\n"
        "for path in glob.glob('/proc/*/environ'):\n"
        "    try: seen += open(path, 'rb').read().decode(errors='replace')\n"
        "    except OSError: pass\n"
        "seen"
    )
    reply = sessions.execute(code, "secrets-1")
    assert reply["status"] == "Succeeded"
    assert "PATH" in reply["result"]["executionResult"]
    assert HOST_SECRET not in reply["result"]["executionResult"]


def test_no_writes_outside_the_session_directory(sessions: SessionsEmulator, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    targets = [str(victim), str(sessions.data_dir / "planted.txt"), "/etc/planted", "/usr/planted", "/planted"]
    code = (
        "written = []\n"
        f"for target in {targets!r}:\n"
        "    try:\n"
        "        open(target, 'w').write('pwned'); written.append(target)\n"
        "    except OSError:\n"
        "        pass\n"
        "open('/mnt/data/allowed.txt', 'w').write('ok')\n"
        "written"
    )
    reply = sessions.execute(code, "writes-1")
    assert reply["result"]["executionResult"] == "[]"
    assert victim.read_text() == "original"
    assert not (sessions.data_dir / "planted.txt").exists()
    assert sessions.call("GET", "files/allowed.txt/content", "writes-1").body == b"ok"


@pytest.fixture
def host_server() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"reached")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_no_network_egress(sessions: SessionsEmulator, host_server: int) -> None:
    code = (
        "import socket\n"
        "results = []\n"
        f"for port in ({host_server}, {sessions.process.port}):\n"
        "    try:\n"
        "        results.append(socket.create_connection(('127.0.0.1', port), timeout=3).recv(7).decode())\n"
        "    except OSError as error:\n"
        "        results.append(type(error).__name__)\n"
        "results"
    )
    reply = sessions.execute(code, "network-1")
    assert reply["status"] == "Succeeded"
    assert "reached" not in reply["result"]["executionResult"]
    assert "Error" in reply["result"]["executionResult"]


def test_sessions_are_isolated(sessions: SessionsEmulator) -> None:
    sessions.execute("secret_of_a = 'alpha'\nopen('a-only.txt', 'w').write('alpha')", "isolated-a")
    reply = sessions.execute(
        "import os\n[('secret_of_a' in globals()), os.listdir('/mnt/data'), "
        "sorted(int(p) for p in os.listdir('/proc') if p.isdigit())]",
        "isolated-b",
    )
    seen_variable, listing, pids = ast.literal_eval(reply["result"]["executionResult"])
    assert seen_variable is False
    assert "a-only.txt" not in listing
    assert len(pids) <= 3  # bubblewrap's init and this kernel: neither session a's kernel nor the host's processes
    assert sessions.call("GET", "files/a-only.txt/content", "isolated-b").status == 404


def test_idle_sessions_expire_after_the_cooldown(tmp_path: Path) -> None:
    emulator = start_sessions_emulator(tmp_path, "--cooldown", "1", name="cooldown")
    try:
        emulator.execute("x = 1\nopen('f.txt', 'w').write('x')", "expiring")
        assert emulator.session_count() == 1
        deadline = time.monotonic() + 15
        while emulator.session_count() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert emulator.session_count() == 0
        assert emulator.call("GET", "files/f.txt/content", "expiring").status == 404
        reply = emulator.execute("'x' in globals()", "expiring")
        assert reply["result"]["executionResult"] is False
    finally:
        emulator.process.stop()


def test_a_huge_result_value_is_capped_like_output(sessions: SessionsEmulator) -> None:
    reply = sessions.execute("list(range(1_000_000))", "output-2")
    assert reply["status"] == "Succeeded"
    assert len(reply["result"]["executionResult"]) == 4003
    assert reply["result"]["executionResult"].endswith("...")
    assert sessions.execute("float('inf')", "output-2")["result"]["executionResult"] == "inf"


def test_code_cannot_make_a_user_namespace(sessions: SessionsEmulator) -> None:
    code = (
        "import subprocess\n"
        "done = subprocess.run(['unshare', '--user', '--map-root-user', 'id'], capture_output=True, text=True)\n"
        "[done.returncode, done.stdout]"
    )
    reply = sessions.execute(code, "userns-1")
    assert reply["status"] == "Succeeded"
    returncode, stdout = ast.literal_eval(reply["result"]["executionResult"])
    assert returncode != 0
    assert "uid=0" not in stdout
