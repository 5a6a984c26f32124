"""The sandbox each emulated session's kernel runs in: bubblewrap over user, mount, pid, ipc, uts and net namespaces.

The kernel sees a read-only root with only the system's binaries and libraries and this interpreter's prefix
(whose site-packages carry the data packages: pandas, numpy), its own `/proc`, a small private `/tmp` in memory,
and the session's directory read-write at `/mnt/data` — the only host path it can write. It runs as uid 65534 with
no capabilities, an environment built from scratch (nothing of the emulator's environment, so none of its
secrets), no network unless the emulator was started with `--allow-egress`, and limits on address space and file
size.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MOUNT_POINT = "/mnt/data"
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "nsswitch.conf", "hosts",
              "resolv.conf", "ssl", "ca-certificates", "fonts")  # fmt: skip


class SandboxMissingError(RuntimeError):
    """Bubblewrap is missing or cannot create namespaces on this machine."""


@dataclass(frozen=True)
class SandboxLimits:
    """Per-session limits.

    Attributes:
        memory_bytes: Address-space limit of the kernel (RLIMIT_AS).
        max_file_bytes: Largest file the code may write (RLIMIT_FSIZE).
        egress: Share the emulator's network (ACA's default, and ours, is no egress).
    """

    memory_bytes: int = 2 * 1024 * 1024 * 1024
    max_file_bytes: int = 256 * 1024 * 1024
    egress: bool = False


def kernel_environment() -> dict[str, str]:
    """The kernel's complete environment: fixed values only."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": MOUNT_POINT,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }


@cache
def _nested_userns_flags() -> tuple[str, ...]:
    """`--disable-userns` where this bubblewrap has it (0.8+).

    With it, code cannot make a user namespace of its own, so it cannot regain capabilities inside the sandbox.
    """
    try:
        done = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return ("--disable-userns",) if "--disable-userns" in done.stdout + done.stderr else ()


def bubblewrap_argv(session_dir: Path, limits: SandboxLimits) -> list[str]:
    """The `bwrap` argv prefix that runs a command in a session's sandbox."""
    argv = [shutil.which("bwrap") or "bwrap", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    argv += ["--unshare-cgroup-try", "--share-net" if limits.egress else "--unshare-net"]
    argv += ["--die-with-parent", "--new-session", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    argv += [*_nested_userns_flags(), "--ro-bind-try", "/usr", "/usr"]
    for link in ("bin", "sbin", "lib", "lib64", "lib32"):
        if Path("/", link).is_symlink():
            argv += ["--symlink", os.readlink(Path("/", link)), f"/{link}"]
        else:
            argv += ["--ro-bind-try", f"/{link}", f"/{link}"]
    for name in _ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # The private /tmp comes before the interpreter's prefixes: a virtual environment may live under /tmp (a CI
    # clone's .venv), and a later tmpfs on /tmp would hide it.
    argv += ["--size", str(64 * 1024 * 1024), "--tmpfs", "/tmp"]
    for prefix in sorted({sys.base_prefix, sys.prefix, sys.exec_prefix}):
        argv += ["--ro-bind", prefix, prefix]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--bind", str(session_dir), MOUNT_POINT, "--chdir", MOUNT_POINT, "--remount-ro", "/"]
    return argv


def limiter(limits: SandboxLimits) -> Callable[[], None]:
    """A `preexec_fn` applying the limits in the child before it execs."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes, limits.max_file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def check_sandbox(scratch: Path) -> None:
    """Raise `SandboxMissingError` unless a sandbox can be built here."""
    if shutil.which("bwrap") is None:
        raise SandboxMissingError("bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap")
    argv = [*bubblewrap_argv(scratch, SandboxLimits()), "/bin/sh", "-c", "exit 0"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxMissingError(f"bubblewrap failed to start: {error}") from error
    if done.returncode != 0:
        raise SandboxMissingError(f"bubblewrap cannot create namespaces: {done.stderr.decode(errors='replace')}")
