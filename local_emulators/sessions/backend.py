"""The sessions backend: sessions by identifier, their kernels, executions, files and idle expiry (no HTTP here)."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from local_emulators.sessions.errors import BadRequestError, NotFoundError, PayloadTooLargeError
from local_emulators.sessions.models import (
    MAX_TIMEOUT_SECONDS,
    Execution,
    FileEntry,
    check_identifier,
    resolve_in,
)
from local_emulators.sessions.sandbox import SandboxLimits
from local_emulators.sessions.worker import SessionKernel


@dataclass(frozen=True)
class BackendSettings:
    """How the emulated pool behaves.

    Attributes:
        cooldown_seconds: Idle time after which a session (its variables and files) is deleted.
        default_timeout: Seconds an execution may run when the request names no timeout.
        max_code_bytes: Largest code accepted.
        max_upload_bytes: Largest file accepted (ACA: 128 MB).
        max_output_chars: Characters kept of stdout and of stderr per execution.
        limits: The sandbox's limits.
    """

    cooldown_seconds: float = 300.0
    default_timeout: float = 60.0
    max_code_bytes: int = 1024 * 1024
    max_upload_bytes: int = 128 * 1024 * 1024
    max_output_chars: int = 1024 * 1024
    limits: SandboxLimits = field(default_factory=SandboxLimits)


@dataclass
class _Session:
    identifier: str
    directory: Path
    kernel: SessionKernel
    last_used: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    executions: dict[str, Execution] = field(default_factory=dict)


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


class SessionsBackend:
    """Every session of the emulated pool; a session is allocated on first use of its identifier, as in ACA."""

    def __init__(self, data_dir: Path, settings: BackendSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._root = data_dir / "sessions"
        self._root.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._background: set[asyncio.Task[None]] = set()

    def _session(self, identifier: str) -> _Session:
        identifier = check_identifier(identifier)
        session = self._sessions.get(identifier)
        if session is None:
            # Hashed: identifiers may hold characters that are not safe in file names.
            directory = self._root / hashlib.sha256(identifier.encode()).hexdigest()[:32]
            # The sandbox maps its uid 65534 to this process's uid, so the code owns this directory: no chmod.
            directory.mkdir(exist_ok=True)
            session = _Session(identifier, directory, SessionKernel(directory, self.settings.limits), self._clock())
            self._sessions[identifier] = session
        session.last_used = self._clock()
        return session

    def _check_code(self, code: object, timeout: object) -> tuple[str, float]:
        # Blank code is a no-op that succeeds, as in a notebook (AutoGen sends "\n\n" when it has no functions).
        if not isinstance(code, str):
            raise BadRequestError("'code' must be a string")
        size = len(code.encode("utf-8"))
        if size > self.settings.max_code_bytes:
            raise PayloadTooLargeError(
                f"the code is {size} bytes: code may be at most {self.settings.max_code_bytes} bytes"
            )
        if timeout is None:
            return code, self.settings.default_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise BadRequestError(f"'timeoutInSeconds' must be a number in 1..{MAX_TIMEOUT_SECONDS}")
        return code, float(timeout)

    async def execute(
        self, identifier: str, code: object, *, timeout_seconds: object = None, asynchronous: bool = False
    ) -> Execution:
        """Run code in the session (allocating it on first use).

        Args:
            identifier: The session identifier.
            code: Python source.
            timeout_seconds: Seconds (1-220); the default setting when None.
            asynchronous: Return at once with status ``Running``; poll `execution()` for the outcome.

        Returns:
            The execution (finished unless `asynchronous`).

        Raises:
            BadRequestError: Bad identifier, empty code, bad timeout (the session is not touched).
            PayloadTooLargeError: Code over the limit (the session is not touched).
        """
        code_text, seconds = self._check_code(code, timeout_seconds)
        session = self._session(identifier)
        execution = Execution(identifier, "Asynchronous" if asynchronous else "Synchronous")
        session.executions[execution.id] = execution
        if not asynchronous:
            await self._run(session, execution, code_text, seconds)
            return execution
        task = asyncio.create_task(self._run(session, execution, code_text, seconds))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return execution

    async def _run(self, session: _Session, execution: Execution, code: str, seconds: float) -> None:
        async with session.lock:
            started = time.perf_counter()
            reply = await session.kernel.execute(code, seconds, self.settings.max_output_chars)
            execution.duration_ms = int((time.perf_counter() - started) * 1000)
        execution.stdout, execution.stderr, execution.result = reply.stdout, reply.stderr, reply.result
        execution.timed_out = reply.timed_out
        execution.status = "Failed" if reply.failed else "Succeeded"
        session.last_used = self._clock()

    def execution(self, identifier: str, execution_id: str) -> Execution:
        """An execution of the session, by id.

        Raises:
            NotFoundError: No such execution in this session.
        """
        found = self._session(identifier).executions.get(execution_id)
        if found is None:
            raise NotFoundError(f"no execution {execution_id!r} in this session")
        return found

    def list_files(self, identifier: str, directory: str = "") -> list[FileEntry]:
        """The entries of a directory of the session's /mnt/data, sorted by name."""
        session = self._session(identifier)
        base = resolve_in(session.directory, ".keep", directory).parent if directory.strip("/") else session.directory
        if not base.is_dir():
            raise NotFoundError(f"no directory {directory!r} in /mnt/data")
        entries = []
        for path in sorted(base.iterdir()):
            if path.is_symlink():
                continue
            stat = path.stat()
            relative = path.parent.relative_to(session.directory).as_posix()
            entries.append(
                FileEntry(
                    path.name,
                    "" if relative == "." else relative,
                    path.is_dir(),
                    0 if path.is_dir() else stat.st_size,
                    _timestamp(stat.st_mtime),
                )
            )
        return entries

    def file_entry(self, identifier: str, name: str, directory: str = "") -> FileEntry:
        """One file's entry.

        Raises:
            NotFoundError: No such file.
        """
        path = self._existing_file(identifier, name, directory)
        stat = path.stat()
        relative = path.parent.relative_to(self._session(identifier).directory).as_posix()
        return FileEntry(path.name, "" if relative == "." else relative, False, stat.st_size, _timestamp(stat.st_mtime))

    def _existing_file(self, identifier: str, name: str, directory: str) -> Path:
        path = resolve_in(self._session(identifier).directory, name, directory)
        if not path.is_file() or path.is_symlink():
            raise NotFoundError(f"no file {name!r} in /mnt/data/{directory.strip('/')}".rstrip("/"))
        return path

    def read_file(self, identifier: str, name: str, directory: str = "") -> tuple[bytes, str]:
        """A file's content and content type."""
        path = self._existing_file(identifier, name, directory)
        return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def write_file(self, identifier: str, name: str, data: bytes, directory: str = "") -> FileEntry:
        """Store an uploaded file (replacing one of the same name).

        Raises:
            BadRequestError: A bad name (nothing written).
            PayloadTooLargeError: Over the upload limit (nothing written).
        """
        if len(data) > self.settings.max_upload_bytes:
            raise PayloadTooLargeError(f"the file is {len(data)} bytes; the limit is {self.settings.max_upload_bytes}")
        session = self._session(identifier)
        path = resolve_in(session.directory, name, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.upload")
        temporary.write_bytes(data)
        temporary.replace(path)
        return self.file_entry(identifier, name, directory)

    def delete_file(self, identifier: str, name: str, directory: str = "") -> None:
        """Delete a file.

        Raises:
            NotFoundError: No such file (nothing changed).
        """
        self._existing_file(identifier, name, directory).unlink()

    def session_count(self) -> int:
        """How many sessions are allocated."""
        return len(self._sessions)

    async def expire_idle(self) -> list[str]:
        """Delete every session idle longer than the cooldown (kernel and files); returns their identifiers."""
        now = self._clock()
        expired = [
            session
            for session in self._sessions.values()
            if now - session.last_used > self.settings.cooldown_seconds and not session.lock.locked()
        ]
        doomed: list[tuple[_Session, Path]] = []
        for session in expired:
            del self._sessions[session.identifier]
            # Moved aside before the first await: a new session with the same identifier (so the same directory)
            # may start while the old kernel stops, and must not lose its files to this clean-up.
            aside = session.directory.with_name(f"{session.directory.name}.expired-{uuid.uuid4().hex}")
            session.directory.rename(aside)
            doomed.append((session, aside))
        for session, aside in doomed:
            await session.kernel.stop()
            shutil.rmtree(aside, ignore_errors=True)
        return [session.identifier for session in expired]

    async def close(self) -> None:
        """Stop every kernel (files stay on disk)."""
        for task in list(self._background):
            task.cancel()
        for session in self._sessions.values():
            await session.kernel.stop()
