"""Start real server processes on free loopback ports for tests, and stop exactly those."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Every test helper takes ports from here: claimed, so no two servers (in any test process) are given one port.
from switchboard.cli.free_ports import free_port as free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class ServerProcess:
    """A server started by a test; `stop()` ends only this process."""

    popen: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_hard(self) -> None:
        """SIGKILL, as a crash would; used by durability tests."""
        self.popen.kill()
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def start_python_module(
    module: str,
    args: Sequence[str],
    *,
    port: int,
    log_path: Path,
    ready: Callable[[], bool] | None = None,
    timeout: float = 20.0,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """Run `python -m module args...` and wait until it is ready.

    Args:
        module: The module to run with `python -m`.
        args: Its command-line arguments.
        port: The port it will listen on (readiness defaults to that port accepting connections).
        log_path: Where its stdout and stderr go.
        ready: A custom readiness check; defaults to `port_open(port)`.
        timeout: Seconds to wait for readiness before failing with the process log.
        env: Extra environment variables.

    Returns:
        The running process.
    """
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), full_env.get("PYTHONPATH")]))
    log_file = log_path.open("wb")
    popen = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        cwd=REPO_ROOT,
        env=full_env,
    )
    log_file.close()
    proc = ServerProcess(popen=popen, port=port, log_path=log_path)
    check = ready or (lambda: port_open(port))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{module} exited with {popen.returncode}:\n{proc.log()}")
        if check():
            return proc
        time.sleep(0.02)
    proc.stop()
    raise RuntimeError(f"{module} not ready after {timeout}s:\n{proc.log()}")


@contextmanager
def running_module(module: str, args: Sequence[str], *, port: int, log_path: Path) -> Iterator[ServerProcess]:
    """Context manager around `start_python_module` that always stops the process."""
    proc = start_python_module(module, args, port=port, log_path=log_path)
    try:
        yield proc
    finally:
        proc.stop()
