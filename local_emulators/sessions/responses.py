"""JSON shapes of both data-plane API generations, built from the backend's executions and file entries (pure).

Current API (2024-10-02-preview and later): `/executions` and `/files` with flat objects and statuses
`Succeeded`/`Failed`. Legacy 2024-02-02-preview (what AutoGen 0.7.5 calls): `/code/execute` and `/files/...`
with a `properties` wrapper, status `Success`/`Failure` and a `result` key that is always present.
"""

from __future__ import annotations

from typing import Any

from local_emulators.sessions.models import Execution, FileEntry


def execution_json(execution: Execution) -> dict[str, Any]:
    """An execution in the current API."""
    body: dict[str, Any] = {
        "id": execution.id,
        "identifier": execution.identifier,
        "executionType": execution.execution_type,
        "status": execution.status,
        "result": None,
    }
    if execution.status != "Running":
        body["result"] = {
            "stdout": execution.stdout,
            "stderr": execution.stderr,
            "executionResult": execution.result,
            "executionTimeInMilliseconds": execution.duration_ms,
        }
    return body


def legacy_execution_json(execution: Execution) -> dict[str, Any]:
    """An execution in the 2024-02-02-preview API (AutoGen appends `str(result)` to the output on success)."""
    return {
        "properties": {
            "$id": "1",
            "status": "Success" if execution.status == "Succeeded" else "Failure",
            "stdout": execution.stdout,
            "stderr": execution.stderr,
            "result": "" if execution.result is None else execution.result,
            "executionTimeInMilliseconds": execution.duration_ms,
        }
    }


def file_json(entry: FileEntry) -> dict[str, Any]:
    """A file entry in the current API."""
    return {
        "name": entry.name,
        "type": "directory" if entry.is_directory else "file",
        "sizeInBytes": entry.size,
        "lastModifiedAt": entry.modified,
        "directory": "/mnt/data" + (f"/{entry.directory}" if entry.directory else ""),
        "contentType": None if entry.is_directory else "application/octet-stream",
    }


def legacy_file_json(entry: FileEntry) -> dict[str, Any]:
    """A file entry in the 2024-02-02-preview API."""
    name = f"{entry.directory}/{entry.name}" if entry.directory else entry.name
    return {"properties": {"filename": name, "size": entry.size, "lastModifiedTime": entry.modified}}


def error_json(code: str, message: str) -> dict[str, Any]:
    """An error body, as the data plane answers them."""
    return {"error": {"code": code, "message": message}}
