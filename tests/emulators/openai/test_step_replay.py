"""The scripted `/v1` server answers by step (run, agent, index), sent as headers by `OpenAIChatClient`."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from switchboard.models.chat import ModelRequest, ModelResponse, ModelStep, UserMessage
from switchboard.models.errors import ModelRequestRejectedError
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.retry import RetryPolicy
from switchboard.models.settings import ModelEndpoint
from tests.support.processes import ServerProcess, free_port, start_python_module

SCRIPT: dict[str, Any] = {
    "agents": {
        "planner": [{"content": "plan A"}, {"error": {"status": 503, "retry_after": 0}}, {"content": "plan B"}],
        "writer": [{"content": "draft"}],
    }
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("openai")
    script = folder / "script.json"
    script.write_text(json.dumps(SCRIPT))
    port = free_port()
    proc = start_python_module(
        "local_emulators.openai", ["--script", str(script), "--port", str(port)], port=port, log_path=folder / "log"
    )
    yield proc
    proc.stop()


def _control(port: int, path: str, body: object | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=5) as reply:
        return json.load(reply)


@pytest.fixture
def client(server: ServerProcess) -> OpenAIChatClient:
    _control(server.port, "/_script/reset", {})
    endpoint = ModelEndpoint(kind="compatible", model="scripted", base_url=f"http://127.0.0.1:{server.port}/v1")
    return OpenAIChatClient(endpoint, retry=RetryPolicy(max_attempts=3, base_delay=0.01))


async def _ask(client: OpenAIChatClient, run_id: str, agent: str, index: int) -> ModelResponse:
    step = ModelStep(run_id=run_id, agent=agent, index=index)
    return await client.create(ModelRequest(messages=(UserMessage(content="go"),), agent=agent, step=step))


def _counts(port: int) -> dict[tuple[str, str, int], int]:
    steps = _control(port, "/_script/steps")["steps"]
    return {(s["run_id"], s["agent"], s["index"]): s["count"] for s in steps}


async def test_concurrent_interleaved_runs_each_get_their_own_script(
    server: ServerProcess, client: OpenAIChatClient
) -> None:
    async def run(run_id: str) -> list[str | None]:
        first = await _ask(client, run_id, "planner", 0)
        second = await _ask(client, run_id, "planner", 1)
        return [first.content, second.content]

    results = await asyncio.gather(*(run(f"run-{n}") for n in range(6)))
    await client.close()
    assert results == [["plan A", "plan B"]] * 6
    counts = await asyncio.to_thread(_counts, server.port)
    # Step 1 of every run met the scripted 503 once and was retried by the client: two requests each.
    assert counts == {
        **{(f"run-{n}", "planner", 0): 1 for n in range(6)},
        **{(f"run-{n}", "planner", 1): 2 for n in range(6)},
    }


async def test_the_same_step_asked_twice_gets_the_same_answer_and_is_counted_twice(
    server: ServerProcess, client: OpenAIChatClient
) -> None:
    first = await _ask(client, "r", "writer", 0)
    again = await _ask(client, "r", "writer", 0)
    with pytest.raises(ModelRequestRejectedError):
        await _ask(client, "r", "writer", 1)  # past the script: a non-retried 400
    await client.close()
    assert first.content == again.content == "draft"
    seen = await asyncio.to_thread(_control, server.port, "/_script/requests")
    assert [(s["run_id"], s["agent"], s["index"]) for s in seen["requests"]] == [("r", "writer", 0)] * 2 + [
        ("r", "writer", 1)
    ]
    assert await asyncio.to_thread(_counts, server.port) == {("r", "writer", 0): 2, ("r", "writer", 1): 1}


async def test_reset_forgets_counts_and_can_replace_the_script(server: ServerProcess, client: OpenAIChatClient) -> None:
    await _ask(client, "r", "writer", 0)
    replaced = {"agents": {"writer": [{"content": "second script"}]}}
    await asyncio.to_thread(_control, server.port, "/_script/reset", replaced)
    assert await asyncio.to_thread(_counts, server.port) == {}
    reply = await _ask(client, "r", "writer", 0)
    await client.close()
    assert reply.content == "second script"
    await asyncio.to_thread(_control, server.port, "/_script/reset", SCRIPT)


def test_a_step_header_without_its_run_is_a_bad_request(server: ServerProcess) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/v1/chat/completions",
        data=json.dumps({"messages": []}).encode(),
        headers={"x-switchboard-agent": "writer", "x-switchboard-step": "0", "content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
