"""The sample team with its model out of process: the scripted `/v1` server, reached through the openai SDK."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

from agents.messages import APPROVED
from agents.registry import DEFAULT_TEAM
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.scripted import ScriptedModelClient
from switchboard.models.settings import ModelEndpoint
from tests.support.processes import free_port, running_module


def _seen(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_script/requests", timeout=5) as reply:
        return list(json.load(reply)["requests"])


async def test_demo_script_served_over_http_drives_the_whole_team(tmp_path: Path) -> None:
    assert DEFAULT_TEAM.demo_script is not None
    port = free_port()
    args = ["--script", str(DEFAULT_TEAM.demo_script), "--port", str(port)]
    with running_module("local_emulators.openai", args, port=port, log_path=tmp_path / "server.log"):
        endpoint = ModelEndpoint(
            kind="compatible", model="scripted", base_url=f"http://127.0.0.1:{port}/v1", timeout=10
        )
        client = OpenAIChatClient(endpoint)
        try:
            result = await DEFAULT_TEAM.build(client).run("How are effects made exactly once?")
        finally:
            await client.close()
        seen = await asyncio.to_thread(_seen, port)
    assert result.stop_reason == f"text {APPROVED!r} mentioned by reviewer"
    assert len(result.transcript) == 9
    # Each agent's calls were keyed by the agent header: 2 each, plus the researcher's tool rounds.
    counts = {name: sum(1 for s in seen if s["agent"] == name) for name in ("planner", "researcher", "writer")}
    assert counts == {"planner": 2, "researcher": 4, "writer": 2}
    reviewer_body = next(s["body"] for s in seen if s["agent"] == "reviewer")
    assert reviewer_body["response_format"]["type"] == "json_schema"
    researcher_first = next(s["body"] for s in seen if s["agent"] == "researcher")
    assert researcher_first["tool_choice"] == {"type": "function", "function": {"name": "search_notes"}}
    assert result.usage["writer"].completion_tokens > 0
    assert client.usage.by_agent == result.usage  # the client's ledger agrees with the team's accounting
    assert client.usage.calls == len(seen)
    # The in-process scripted client estimates by the server's rule: the same demo counts the same tokens.
    in_process = await DEFAULT_TEAM.build(ScriptedModelClient.from_file(DEFAULT_TEAM.demo_script)).run(
        "How are effects made exactly once?"
    )
    assert in_process.usage == result.usage
    assert in_process.total_usage.total_tokens == result.total_usage.total_tokens > 1000
