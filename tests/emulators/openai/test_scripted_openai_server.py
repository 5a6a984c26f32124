"""The scripted `/v1` server driven through the real `openai` SDK via our `OpenAIChatClient`."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from switchboard.models.chat import ModelRequest, ResponseFormat, ToolSpec, UserMessage
from switchboard.models.errors import ModelRequestRejectedError, ModelTimeoutError
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.retry import RetryPolicy
from switchboard.models.settings import ModelEndpoint
from tests.support.processes import ServerProcess, free_port, start_python_module

SCRIPT: dict[str, Any] = {
    "agents": {
        "researcher": [
            {"error": {"status": 429, "retry_after": 0.3, "message": "slow down"}},
            {"tool_calls": [{"name": "search_notes", "arguments": {"query": "actors"}}]},
            {"content": "Actors own their state."},
        ],
        "reviewer": [{"structured": {"approved": True, "comments": "fine"}}],
        "sleepy": [{"content": "late", "delay": 3}],
    }
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT))
    port = free_port()
    proc = start_python_module(
        "local_emulators.openai",
        ["--script", str(script), "--port", str(port)],
        port=port,
        log_path=tmp_path / "server.log",
    )
    yield proc
    proc.stop()


def _client(port: int, timeout: float = 10.0) -> OpenAIChatClient:
    endpoint = ModelEndpoint(
        kind="compatible",
        model="scripted",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=SecretStr("test-key"),
        timeout=timeout,
        json_mode="json_object",
    )
    return OpenAIChatClient(endpoint, retry=RetryPolicy(max_attempts=3, base_delay=0.05))


def _seen(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_script/requests", timeout=5) as reply:
        return list(json.load(reply)["requests"])


async def test_429_is_retried_after_the_servers_retry_after(server: ServerProcess) -> None:
    client = _client(server.port)
    tool = ToolSpec(name="search_notes", description="Search.", parameters={"type": "object"})
    started = time.monotonic()
    reply = await client.create(
        ModelRequest(
            messages=(UserMessage(content="find"),), tools=(tool,), tool_choice="search_notes", agent="researcher"
        )
    )
    elapsed = time.monotonic() - started
    await client.close()
    assert reply.tool_calls[0].name == "search_notes"
    assert json.loads(reply.tool_calls[0].arguments) == {"query": "actors"}
    assert reply.usage.prompt_tokens > 0
    assert elapsed >= 0.3
    seen = _seen(server.port)
    assert [s["agent"] for s in seen] == ["researcher", "researcher"]
    body = seen[1]["body"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "search_notes"}}
    assert body["tools"][0]["function"]["name"] == "search_notes"


async def test_structured_output_request_and_reply(server: ServerProcess) -> None:
    client = _client(server.port)
    schema = {"type": "object", "properties": {"approved": {"type": "boolean"}}}
    reply = await client.create(
        ModelRequest(
            messages=(UserMessage(content="review"),),
            response_format=ResponseFormat(name="Review", json_schema=schema),
            agent="reviewer",
        )
    )
    await client.close()
    assert json.loads(reply.content or "") == {"approved": True, "comments": "fine"}
    body = _seen(server.port)[0]["body"]
    assert body["response_format"] == {"type": "json_object", "schema": schema}


async def test_exhausted_script_fails_at_once_and_is_not_retried(server: ServerProcess) -> None:
    client = _client(server.port)
    await client.create(ModelRequest(messages=(UserMessage(content="x"),), agent="reviewer"))
    with pytest.raises(ModelRequestRejectedError) as caught:
        await client.create(ModelRequest(messages=(UserMessage(content="x"),), agent="reviewer"))
    await client.close()
    assert not caught.value.retryable
    assert len(_seen(server.port)) == 2


async def test_per_call_timeout_raises_a_typed_error(server: ServerProcess) -> None:
    client = OpenAIChatClient(
        ModelEndpoint(kind="compatible", model="m", base_url=f"http://127.0.0.1:{server.port}/v1", timeout=0.5),
        retry=RetryPolicy(max_attempts=1),
    )
    started = time.monotonic()
    with pytest.raises(ModelTimeoutError) as caught:
        await client.create(ModelRequest(messages=(UserMessage(content="x"),), agent="sleepy"))
    await client.close()
    assert caught.value.retryable
    assert time.monotonic() - started < 2.5
