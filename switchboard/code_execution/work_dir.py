"""Work-directory bookkeeping: what an execution created or changed, and emptying it on restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from switchboard.code_execution.protocol import CodeFile

Snapshot = dict[str, tuple[int, int]]
"""Relative path → (size, mtime in ns) of every regular file."""


def snapshot(root: Path) -> Snapshot:
    """Record every regular file under `root` (symlinks are not followed, so nothing outside is reported)."""
    files: Snapshot = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            stat = path.stat()
            files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


def changed_files(before: Snapshot, after: Snapshot) -> list[CodeFile]:
    """The files present in `after` that are new or differ from `before`, sorted by name."""
    return [CodeFile(name, size) for name, (size, mtime) in sorted(after.items()) if before.get(name) != (size, mtime)]


def clear_directory(root: Path) -> None:
    """Delete everything inside `root`, keeping `root` itself."""
    for entry in root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
