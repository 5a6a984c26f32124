"""Helpers of the door tests (tests/e2e/faults/test_idempotent_submit.py, test_ingress_validation.py, ...): raw HTTP
requests to a stack's API with any body and headers, and reads of what Cosmos and Service Bus were left holding."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.cosmos.exceptions import CosmosResourceNotFoundError

from tests.support.hosted_runs import runs_container
from tests.support.stack import HOST_KEY, Stack


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers (lower-case names) and the body (JSON when it is JSON, else text)."""

    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes


def call(stack: Stack, method: str, path: str, body: bytes | None = None, **headers: str) -> Answer:
    """Send one request to the stack's host with the host key; header names use `_` for `-`."""
    request = urllib.request.Request(f"{stack.host_url}{path}", data=body, method=method)
    request.add_header("x-functions-key", HOST_KEY)
    request.add_header("content-type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, _decode(raw), raw)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, _decode(raw), raw)


def submit(stack: Stack, body: Any, **headers: str) -> Answer:
    """`POST /api/runs` with `body` as JSON."""
    return call(stack, "POST", "/api/runs", json.dumps(body).encode(), **headers)


def run_documents(stack: Stack) -> list[dict[str, Any]]:
    """Every run document in the stack's Cosmos (across partitions); none before the app created its database."""
    query = "SELECT * FROM c WHERE c.type = 'run'"
    try:
        return list(runs_container(stack).query_items(query, enable_cross_partition_query=True))
    except CosmosResourceNotFoundError:
        return []


def settings_file(stack: Stack, folder: Path) -> Path:
    """A local.settings.json for the CLI, pointing at the stack's emulators."""
    path = folder / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": stack.app_env()}))
    return path


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")
