"""`free_port()`: a loopback port for a child server, never handed out twice while a claim on it lasts.

Asking the kernel for port 0 and closing the socket is racy: the port is free again at once, so the next request, in
this process or another one, may get the same number before the child binds it. On a machine with many sockets in
use that is not rare, since the kernel walks from a random start to the first free port and two requests landing
in the same crowded stretch both find the same one. Two emulators given one port make `up` fail.

So a port handed out here is claimed: a file named after it under the temporary directory, created exclusively, so
no other process using this module gets it while the claim is fresh; and the sockets probed in one call stay bound
until the call returns, so the kernel offers a new port after each one already claimed.
"""

from __future__ import annotations

import getpass
import os
import socket
import tempfile
import time
from pathlib import Path

CLAIM_SECONDS = 600.0
"""How long a handed-out port stays claimed: long enough for a child to bind it and for a test that stops and
restarts a server on the same port to finish."""

_MAX_PROBES = 500
_claimed_here: set[int] = set()


class NoFreePortError(OSError):
    """No unclaimed port could be found (the machine has nearly every port in use)."""


def claims_dir() -> Path:
    """Where the claims live: one empty file per port, shared by every process of this user on the machine."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        user = "anyone"
    return Path(tempfile.gettempdir()) / f"switchboard-ports-{user}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on now and that no caller of this function was given recently.

    Raises:
        NoFreePortError: Every port the kernel offered was claimed.
    """
    probes: list[socket.socket] = []
    try:
        for _ in range(_MAX_PROBES):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probes.append(probe)
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
            if port not in _claimed_here and _claim(port):
                _claimed_here.add(port)
                return port
        raise NoFreePortError(f"no unclaimed port on {host} after {_MAX_PROBES} tries")
    finally:
        for probe in probes:
            probe.close()


def _claim(port: int) -> bool:
    """Claim `port` for this caller; False when another caller's claim on it is still fresh."""
    directory = claims_dir()
    path = directory / str(port)
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        if _create(path):
            return True
        if time.time() - path.stat().st_mtime < CLAIM_SECONDS:
            return False
        # A stale claim: move it aside first, so of two callers that both found it stale only one takes it over.
        moved = directory / f"{port}.stale.{os.getpid()}.{time.monotonic_ns()}"
        path.rename(moved)
        moved.unlink()
    except FileNotFoundError:
        pass  # the claim vanished or another caller moved it aside: try to create it once more
    except OSError:
        return True  # no shared claims here (read-only temp dir): the in-process set alone keeps ports distinct
    try:
        return _create(path)
    except OSError:
        return False


def _create(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True
