"""The in-process runtime's spans and metrics, through an in-memory exporter: names, attributes, one trace per run,
replayed steps, errors recorded by type only, content only when opted in."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.instrumentation import trace_id_for, use
from switchboard.messages import Message
from switchboard.models.chat import ModelRequest, ModelResponse, UserMessage
from switchboard.models.observed import observed_chat
from switchboard.runtime import InProcessRuntime
from switchboard.termination import MaxMessageTermination
from tests.support.teams import scripted, weather_team
from tests.telemetry.spans_harness import assert_one_connected_trace, attributes, capture

RUN = "7f2d3c4b-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
SECRET = "sk-live-0123456789abcdefghij"


async def test_a_team_run_is_one_trace_with_the_conventions() -> None:
    captured = capture()
    with use(captured.telemetry):
        await weather_team().run(f"weather in Oslo, key {SECRET}", run_id=RUN)
    spans = captured.finished()
    assert_one_connected_trace(spans, trace_id_for(RUN))
    names = [s.name for s in spans]
    assert names.count("chat scripted") == 3
    assert names.count("execute_tool lookup") == 1
    assert {"process duo", "process worker", "process checker", "send duo", "send worker", "send checker"} <= set(names)
    assert {"invoke_agent duo", "invoke_agent worker", "invoke_agent checker"} <= set(names)
    for span in spans:
        attrs = attributes(span)
        assert attrs["switchboard.run_id"] == RUN, span.name
        assert attrs["switchboard.agent"], span.name
        kind = span.name.split(" ")[0]
        if kind in ("send", "process"):
            assert span.kind is (SpanKind.PRODUCER if kind == "send" else SpanKind.CONSUMER)
            assert attrs["messaging.system"] == "servicebus"
            assert attrs["messaging.operation.type"] == kind
            assert attrs["messaging.destination.name"] == span.name.split(" ")[1]
        if kind == "process":
            assert attrs["messaging.message.id"]
            assert attrs["messaging.servicebus.message.delivery_count"] == 1
            assert attrs["switchboard.outcome"] == "handled"
        if kind == "invoke_agent":
            assert attrs["gen_ai.operation.name"] == "invoke_agent"
            assert attrs["gen_ai.agent.name"] == span.name.split(" ")[1]
        if kind == "chat":
            assert span.kind is SpanKind.CLIENT
            assert attrs["gen_ai.operation.name"] == "chat"
            assert attrs["gen_ai.system"] == "openai"
            assert attrs["gen_ai.request.model"] == "scripted"
            assert attrs["gen_ai.response.finish_reasons"] in (("stop",), ("tool_calls",))
            assert "gen_ai.input.messages" not in attrs
            assert "gen_ai.output.messages" not in attrs
        if kind == "execute_tool":
            assert attrs["gen_ai.tool.name"] == "lookup"
            assert "gen_ai.tool.call.arguments" not in attrs
    chats: dict[object, list[dict[str, object]]] = {
        attributes(s)["switchboard.agent"]: [] for s in spans if s.name.startswith("chat ")
    }
    for span in spans:
        if span.name.startswith("chat "):
            chats[attributes(span)["switchboard.agent"]].append(attributes(span))
    assert sorted(int(str(a["gen_ai.usage.input_tokens"])) for a in chats["worker"]) == [10, 20]
    assert chats["checker"][0]["gen_ai.usage.output_tokens"] == 3
    # 1000 $/M input, 2000 $/M output: 30 in + 3 out.
    assert chats["checker"][0]["switchboard.cost_usd"] == pytest.approx(0.036)
    # The chat and tool spans nest under their agent's invoke_agent span.
    by_id = {s.context.span_id: s for s in spans}
    for span in spans:
        if span.name.startswith(("chat ", "execute_tool ")):
            assert span.parent is not None
            assert by_id[span.parent.span_id].name == f"invoke_agent {attributes(span)['switchboard.agent']}"
    tokens = captured.metric_points("switchboard.gen_ai.tokens")
    worker_input = sum(v for a, v in tokens if a["switchboard.agent"] == "worker" and a["gen_ai.token.type"] == "input")
    assert worker_input == 30
    processed = captured.metric_points("switchboard.messages.processed")
    assert sum(v for a, v in processed if a["switchboard.agent"] == "checker") == 1
    assert captured.metric_points("switchboard.handler.duration")


async def test_content_is_captured_only_when_opted_in_and_scrubbed() -> None:
    captured = capture(capture_content=True, secrets=[SECRET])
    with use(captured.telemetry):
        await weather_team().run(f"weather in Oslo, key {SECRET}", run_id=RUN)
    spans = captured.finished()
    chat = next(
        attributes(s) for s in spans if s.name.startswith("chat ") and attributes(s)["switchboard.agent"] == "worker"
    )
    assert "weather in Oslo" in str(chat["gen_ai.input.messages"])
    assert SECRET not in str(chat["gen_ai.input.messages"])
    assert "[REDACTED]" in str(chat["gen_ai.input.messages"])
    tool = next(attributes(s) for s in spans if s.name.startswith("execute_tool "))
    assert "Oslo" in str(tool["gen_ai.tool.call.arguments"])
    everything = repr([(s.name, s.attributes, [e.attributes for e in s.events]) for s in spans])
    assert SECRET not in everything


class Ping(Message):
    message_type = "test.Ping"
    message_version = 1
    text: str


class Flaky(Agent[AgentState]):
    """Calls the model once (a checkpointed step), then fails the first time with a secret in the message."""

    def __init__(self, model: object) -> None:
        super().__init__("flaky")
        self.model = model
        self.failures = 0

    async def handle(self, message: Ping, ctx: AgentContext[AgentState]) -> None:
        request = ModelRequest(messages=(UserMessage(content=message.text),), agent="flaky")
        await ctx.checkpoint(
            "chat",
            lambda: observed_chat(self.model, request),  # type: ignore[arg-type]
            encode=lambda r: r.model_dump(mode="json"),
            decode=ModelResponse.model_validate,
        )
        if self.failures == 0:
            self.failures += 1
            raise ValueError(f"cannot reach https://x?api_key={SECRET}")


async def test_a_failed_handler_records_the_type_only_and_a_retry_replays_without_a_chat_span() -> None:
    captured = capture()
    model = scripted({"flaky": [{"content": "one answer"}]})
    runtime = InProcessRuntime([Flaky(model)], telemetry=captured.telemetry)
    runtime.send(Ping(text="hello"), to="flaky", run_id=RUN)
    with pytest.raises(ValueError, match="cannot reach"):
        await runtime.run_until_idle()
    await runtime.run_until_idle()
    spans = captured.finished()
    assert [s.name for s in spans].count("chat scripted") == 1
    invokes = [s for s in spans if s.name == "invoke_agent flaky"]
    failed, retried = invokes
    assert failed.status.status_code is StatusCode.ERROR
    assert attributes(failed)["error.type"] == "ValueError"
    [event] = failed.events
    assert event.name == "exception"
    assert dict(event.attributes or {})["exception.type"] == "ValueError"
    assert attributes(retried)["switchboard.replayed_steps"] == 1
    assert retried.status.status_code is not StatusCode.ERROR
    everything = repr([(s.name, s.attributes, s.status.description, [e.attributes for e in s.events]) for s in spans])
    assert SECRET not in everything
    assert "cannot reach" not in everything
    process = [s for s in spans if s.name == "process flaky"]
    assert process[0].status.status_code is StatusCode.ERROR
    failures = captured.metric_points("switchboard.messages.failed")
    assert sum(v for a, v in failures if a["error.type"] == "ValueError") == 1
    assert_one_connected_trace(spans, trace_id_for(RUN))


async def test_a_selector_managers_own_model_calls_are_chat_spans_of_the_team() -> None:
    from switchboard.teams import SelectorGroupChat
    from tests.support.teams import assistants, text

    picks = [{"content": name, "usage": {"prompt_tokens": 40, "completion_tokens": 1}} for name in ("a", "b")]
    model = scripted({"team": picks, "a": text("one"), "b": text("two")})
    chat = SelectorGroupChat(assistants(model, "a", "b"), model, termination=MaxMessageTermination(3), name="team")
    captured = capture()
    with use(captured.telemetry):
        await chat.run("go", run_id=RUN)
    selector = [
        s for s in captured.finished() if s.name.startswith("chat ") and attributes(s)["switchboard.agent"] == "team"
    ]
    # One span per selector call the model answered (a lone candidate is chosen without a call).
    asked = [r for r in model.requests if r.agent == "team"]
    assert len(asked) >= 1
    assert len(selector) == len(asked)
    assert all(attributes(s)["gen_ai.usage.input_tokens"] == 40 for s in selector)
