"""Fault injection of the scripted model server (`/_script/faults`), seen through the real `openai` SDK."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from local_emulators.openai.errors import BadRequestError
from local_emulators.openai.faults import FaultSwitch
from tests.support.processes import ServerProcess, free_port, start_python_module

SCRIPT = {"agents": {"*": [{"content": "one"}, {"content": "two"}, {"content": "three"}]}}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps(SCRIPT))
    port = free_port()
    proc = start_python_module(
        "local_emulators.openai", ["--script", str(script), "--port", str(port)], port=port, log_path=tmp_path / "log"
    )
    yield proc
    proc.stop()


def _control(port: int, path: str, body: object | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method="GET" if data is None else "POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _client(port: int) -> openai.OpenAI:
    # No SDK retries: each call is one request, so the counts below are exact.
    return openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0, timeout=20)


def _ask(client: openai.OpenAI) -> str | None:
    reply = client.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "hi"}])
    return reply.choices[0].message.content


def test_429_with_retry_after_is_a_rate_limit_error_and_consumes_no_step(server: ServerProcess) -> None:
    view = _control(server.port, "/_script/faults", {"status": 429, "retry_after": 2, "count": 2})
    assert view["active"]
    assert view["count_left"] == 2
    client = _client(server.port)
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as caught:
            _ask(client)
        assert caught.value.response.headers["retry-after"] == "2"
        assert caught.value.body["code"] == "rate_limit_exceeded"  # type: ignore[index]
    # The count ran out: the next call gets the script's first answer, as if the faults never happened.
    assert _ask(client) == "one"
    assert _control(server.port, "/_script/faults") == {"active": False, "injected": 2}
    assert len(_control(server.port, "/_script/requests")["requests"]) == 1


def test_500_and_503_are_server_errors(server: ServerProcess) -> None:
    client = _client(server.port)
    _control(server.port, "/_script/faults", {"status": 500, "count": 1})
    with pytest.raises(openai.InternalServerError) as caught:
        _ask(client)
    assert caught.value.status_code == 500
    _control(server.port, "/_script/faults", {"status": 503, "count": 1})
    with pytest.raises(openai.InternalServerError) as unavailable:
        _ask(client)
    assert unavailable.value.status_code == 503
    assert _ask(client) == "one"


def test_for_seconds_fails_every_request_until_the_period_ends(server: ServerProcess) -> None:
    client = _client(server.port)
    _control(server.port, "/_script/faults", {"status": 429, "for_seconds": 1.0})
    failures = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            answer = _ask(client)
            break
        except openai.RateLimitError:
            failures += 1
            time.sleep(0.1)
    assert answer == "one"
    assert failures >= 3
    assert _control(server.port, "/_script/faults")["injected"] == failures


def test_empty_body_clears_a_fault(server: ServerProcess) -> None:
    _control(server.port, "/_script/faults", {"status": 500})
    assert _control(server.port, "/_script/faults", {}) == {"active": False, "injected": 0}
    assert _ask(_client(server.port)) == "one"


def test_slow_answer_arrives_late_while_the_server_answers_others(server: ServerProcess) -> None:
    _control(server.port, "/_script/faults", {"delay_seconds": 1.5, "count": 1})
    client = _client(server.port)
    slow: dict[str, Any] = {}

    def ask_slowly() -> None:
        started = time.monotonic()
        slow["answer"] = _ask(client)
        slow["took"] = time.monotonic() - started

    thread = threading.Thread(target=ask_slowly)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    quick = _ask(client)
    quick_took = time.monotonic() - started
    thread.join(timeout=10)
    assert quick_took < 1.0, "the server stalled behind the slow answer"
    assert slow["took"] >= 1.4
    # The slow request is a real answer: it consumed a script step and was recorded.
    assert sorted([slow["answer"], quick]) == ["one", "two"]
    assert len(_control(server.port, "/_script/requests")["requests"]) == 2
    assert _control(server.port, "/_script/faults")["injected"] == 1


def test_a_bad_fault_is_refused_with_the_reason(server: ServerProcess) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        _control(server.port, "/_script/faults", {"status": 404})
    assert caught.value.code == 400
    assert "status must be one of" in json.loads(caught.value.read())["error"]["message"]


def test_switch_counts_and_expires_by_its_clock() -> None:
    now = [100.0]
    switch = FaultSwitch(clock=lambda: now[0])
    switch.configure({"status": 503, "for_seconds": 5})
    assert switch.take() is not None
    now[0] = 104.9
    fault = switch.take()
    assert fault is not None
    assert fault.status == 503
    now[0] = 105.0
    assert switch.take() is None
    assert switch.view() == {"active": False, "injected": 2}
    with pytest.raises(BadRequestError):
        switch.configure({"status": 429, "count": 0})
    with pytest.raises(BadRequestError):
        switch.configure({"statuss": 429})
