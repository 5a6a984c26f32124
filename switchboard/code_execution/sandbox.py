"""The Linux sandbox the local executor runs code in: bubblewrap over user, mount, pid, ipc, uts and net namespaces.

Inside, the process sees a read-only root holding only the system's binaries and libraries and the interpreter's
prefix (never the home directory, the repository, `/etc` beyond what the loader needs, or the host's processes), a
fresh `/proc` of its own pid namespace, the run's work directory read-write at `/mnt/data` (the only writable
path, as in an Azure Container Apps session) and the code files read-only at `/code`. It runs as uid 65534 with no
capabilities, no network unless the policy asks for it, and resource limits on address space and file size.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SANDBOX_WORK_DIR = "/mnt/data"
"""Where the work directory appears inside the sandbox (the path Azure Container Apps sessions use)."""

SANDBOX_CODE_DIR = "/code"
"""Where the code files appear inside the sandbox, read-only."""

_SECRET_NAME = re.compile(
    r"KEY|SECRET|TOKEN|PASSW|CREDENTIAL|CONNECTION_?STRING|SAS|AUTH|PRIVATE|CERT|COOKIE|SESSION", re.IGNORECASE
)
_INHERITED = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
_SYSTEM_MOUNTS = ("/usr", "/opt/conda")
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "nsswitch.conf", "hosts",
              "resolv.conf", "ssl", "ca-certificates", "mime.types", "fonts")  # fmt: skip


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name suggests it holds a secret (keys, tokens, passwords, connections)."""
    return _SECRET_NAME.search(name) is not None


@dataclass(frozen=True)
class SandboxPolicy:
    """What the sandboxed code may use.

    Attributes:
        network: Share the host's network (default: none, not even the host's loopback).
        memory_bytes: Address-space limit per process (RLIMIT_AS); allocations beyond it fail with MemoryError.
        max_file_bytes: Largest file the code may write (RLIMIT_FSIZE).
    """

    network: bool = False
    memory_bytes: int = 1024 * 1024 * 1024
    max_file_bytes: int = 256 * 1024 * 1024


def sandbox_environment(home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the code gets: a few harmless inherited locale settings, fixed paths, and `extra`.

    Nothing else from the host's environment passes, so no key, token or connection string reaches the code;
    `extra` is the caller's explicit choice and passes as given.

    Args:
        home: The work directory as the code sees it (HOME and TMPDIR).
        extra: Variables the caller explicitly hands to the code.

    Returns:
        The complete environment.
    """
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ and not is_secret_name(name)}
    interpreter_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{interpreter_bin}:/usr/local/bin:/usr/bin:/bin",
        HOME=home,
        TMPDIR=home,
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    env.update(extra or {})
    return env


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


def bubblewrap_command(work_dir: Path, code_dir: Path, policy: SandboxPolicy) -> list[str]:
    """The `bwrap` argument prefix that runs a command inside the sandbox.

    Args:
        work_dir: The host directory mounted read-write at `SANDBOX_WORK_DIR`.
        code_dir: The host directory mounted read-only at `SANDBOX_CODE_DIR`.
        policy: Network and limits.

    Returns:
        The argv prefix; append the command to run.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv += ["--share-net"] if policy.network else ["--unshare-net"]
    argv += ["--die-with-parent", "--new-session", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    argv += _nested_userns_flags()
    for mount in _SYSTEM_MOUNTS:
        argv += ["--ro-bind-try", mount, mount]
    for link in ("bin", "sbin", "lib", "lib64", "lib32"):
        if Path("/", link).is_symlink():
            argv += ["--symlink", os.readlink(Path("/", link)), f"/{link}"]
        else:
            argv += ["--ro-bind-try", f"/{link}", f"/{link}"]
    for name in _ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for prefix in sorted({sys.base_prefix, sys.prefix, sys.exec_prefix}):
        argv += ["--ro-bind", prefix, prefix]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--bind", str(work_dir), SANDBOX_WORK_DIR, "--ro-bind", str(code_dir), SANDBOX_CODE_DIR]
    argv += ["--chdir", SANDBOX_WORK_DIR, "--remount-ro", "/"]
    return argv


def resource_limiter(policy: SandboxPolicy) -> Callable[[], None]:
    """A `preexec_fn` that applies the policy's limits to the child before it execs (inherited by its children)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (policy.memory_bytes, policy.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (policy.max_file_bytes, policy.max_file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def probe_bubblewrap(scratch: Path) -> str | None:
    """Check that the sandbox can be built here.

    Args:
        scratch: An empty directory to mount as both work and code directory for the probe.

    Returns:
        None when it works; otherwise why not (bubblewrap missing, namespaces forbidden …).
    """
    if sys.platform != "linux":
        return f"namespaces are a Linux feature and this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap"
    argv = [*bubblewrap_command(scratch, scratch, SandboxPolicy()), "/bin/sh", "-c", "exit 0"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap failed to start: {error}"
    if done.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {done.stderr.decode(errors='replace').strip()}"
    return None
