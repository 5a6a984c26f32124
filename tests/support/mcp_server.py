"""A tiny real MCP server for tests (FastMCP): `python tests/support/mcp_server.py stdio|http [PORT]`.

Its tools add numbers, report how often they were called (so a test sees a replayed step call nothing twice) and
fail on demand.
"""

from __future__ import annotations

import sys

from mcp.server.fastmcp import FastMCP

PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
server = FastMCP("switchboard-test", host="127.0.0.1", port=PORT, log_level="WARNING")
calls = {"count": 0}


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    calls["count"] += 1
    return a + b


@server.tool()
def call_count() -> int:
    """How many times `add` has been called in this server process."""
    return calls["count"]


@server.tool()
def explode(reason: str) -> str:
    """Always fails with `reason`."""
    raise ValueError(reason)


if __name__ == "__main__":
    server.run("streamable-http" if sys.argv[1:2] == ["http"] else "stdio")
