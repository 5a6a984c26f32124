"""A real MCP server process per test: streamable HTTP on a free loopback port (stdio servers the workbench starts)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.tools.mcp import StdioServerParams, StreamableHttpServerParams
from tests.support.processes import REPO_ROOT, free_port, start_python_module

SERVER_MODULE = "tests.support.mcp_server"


@pytest.fixture
def stdio_params() -> StdioServerParams:
    """The test server as a stdio process (the workbench starts it per session)."""
    return StdioServerParams(
        command=sys.executable, args=["-m", SERVER_MODULE, "stdio"], cwd=str(REPO_ROOT), read_timeout_seconds=20
    )


@pytest.fixture
def http_params(tmp_path: Path) -> Iterator[StreamableHttpServerParams]:
    """The test server over streamable HTTP, started as a real process for this test and stopped after it."""
    port = free_port()
    server = start_python_module(SERVER_MODULE, ["http", str(port)], port=port, log_path=tmp_path / "mcp.log")
    try:
        yield StreamableHttpServerParams(url=f"http://127.0.0.1:{port}/mcp", timeout=20)
    finally:
        server.stop()
