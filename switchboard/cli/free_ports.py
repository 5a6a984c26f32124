"""`free_port()`: a loopback port for a child server, which nothing else on the machine will take before it binds.

Asking the kernel for port 0 and closing the socket is racy: the port is free again at once, and the next request
for port 0, by any process, may get the same number before the child binds it. On a machine with many sockets in use
that is not rare, since the kernel walks from a random start to the first free port, so requests landing in the same
crowded stretch all find the same one. Two emulators were once given one port that way, and a host's own settlement
server (which binds port 0) once took the HTTP port its test had just been handed.

So ports are handed out from below the kernel's ephemeral range, which port 0 and outgoing connections never use, and
each one handed out is claimed: a file named after it under the temporary directory, created exclusively, so no other
process using this module gets it while the claim is fresh.
"""

from __future__ import annotations

import getpass
import os
import random
import socket
import tempfile
import time
from pathlib import Path

CLAIM_SECONDS = 600.0
"""How long a handed-out port stays claimed: long enough for a child to bind it and for a test that stops and
restarts a server on the same port to finish."""

PORTS = range(20000, 32768)
"""Where ports are handed out: below the ephemeral range of Linux (32768–60999 by default), macOS and Windows
(49152–65535), so no port 0 request and no outgoing connection can be given one of them."""

_MAX_TRIES = 500
_claimed_here: set[int] = set()


class NoFreePortError(OSError):
    """No unclaimed port could be found (nearly every port of `PORTS` is in use or claimed)."""


def claims_dir() -> Path:
    """Where the claims live: one empty file per port, shared by every process of this user on the machine."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        user = "anyone"
    return Path(tempfile.gettempdir()) / f"switchboard-ports-{user}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing uses now and that no caller of this function was given recently.

    Raises:
        NoFreePortError: Every port tried was in use or claimed.
    """
    for port in random.sample(PORTS, _MAX_TRIES):
        if port not in _claimed_here and _bindable(host, port) and _claim(port):
            _claimed_here.add(port)
            return port
    raise NoFreePortError(f"no unclaimed port on {host} in {PORTS.start}-{PORTS.stop - 1} after {_MAX_TRIES} tries")


def _bindable(host: str, port: int) -> bool:
    # Without SO_REUSEADDR, so a port with a listener, a connection or one lingering after a close is passed over.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


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
