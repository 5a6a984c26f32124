"""The emulator's domain: session identifiers, file names inside a session, executions, file entries (pure)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from local_emulators.sessions.errors import BadRequestError

MAX_TIMEOUT_SECONDS = 220
"""The data plane's longest execution (ACA's documented limit)."""

# ACA: 4-128 characters, alphanumerics and these symbols.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9|\-&^%$#(){}\[\];<>]{4,128}$")


def check_identifier(identifier: str | None) -> str:
    """Return a valid session identifier or raise `BadRequestError`."""
    if not identifier:
        raise BadRequestError("the 'identifier' query parameter (the session identifier) is required")
    if not _IDENTIFIER.match(identifier):
        raise BadRequestError("the session identifier must be 4-128 characters: letters, digits and |-&^%$#(){}[];<>")
    return identifier


def resolve_in(root: Path, name: str, directory: str = "") -> Path:
    """The host path of `directory/name` inside `root`, refusing anything that would leave it.

    Raises:
        BadRequestError: Empty, absolute, `..` or NUL-containing names, or a symlink pointing outside.
    """
    relative = PurePosixPath(directory.strip("/")) / name if directory.strip("/") else PurePosixPath(name)
    if relative.name in ("", ".") or "\x00" in str(relative) or ".." in relative.parts or relative.is_absolute():
        raise BadRequestError(f"invalid file name {str(relative)!r}: it must be a path inside /mnt/data")
    path = root / relative
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise BadRequestError(f"invalid file name {str(relative)!r}: it resolves outside /mnt/data")
    return path


@dataclass
class Execution:
    """One code execution in a session.

    Attributes:
        id: Its id (the `operation-id`).
        identifier: The session's identifier.
        execution_type: ``Synchronous`` or ``Asynchronous``.
        status: ``Running``, ``Succeeded`` or ``Failed``.
        stdout: Standard output.
        stderr: Standard error (a traceback when the code raised).
        result: The value of the code's trailing expression, or None.
        duration_ms: Wall time of the execution.
        timed_out: Whether the timeout stopped it.
    """

    identifier: str
    execution_type: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "Running"
    stdout: str = ""
    stderr: str = ""
    result: Any = None
    duration_ms: int = 0
    timed_out: bool = False


@dataclass(frozen=True)
class FileEntry:
    """A file or directory in a session's /mnt/data.

    Attributes:
        name: Its name (the last path part).
        directory: The directory it is in, relative to /mnt/data ("" at the top).
        is_directory: Directory or regular file.
        size: Size in bytes (0 for directories).
        modified: Last modification as an ISO-8601 UTC timestamp.
    """

    name: str
    directory: str
    is_directory: bool
    size: int
    modified: str
