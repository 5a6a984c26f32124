"""Code executions are `execute_tool code_execution` spans: one per real execution, failed when the code fails,
with the code only when content capture is opted in."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan

from switchboard.agentchat import (
    ApprovalRequest,
    ApprovalResponse,
    AssistantAgent,
    CodeExecutorAgent,
    PerRunExecutor,
)
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.instrumentation import use
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination
from tests.telemetry.spans_harness import attributes, capture

CODE = "```python\nprint('fine')\n```\n```python\nraise SystemExit(2)\n```"


def trusted(request: ApprovalRequest) -> ApprovalResponse:
    return ApprovalResponse(approved=True, reason="test")


async def run_team(tmp_path: Path, *, capture_content: bool) -> list[ReadableSpan]:
    writer_model = ScriptedModelClient(Script.model_validate({"agents": {"*": [{"content": CODE}]}}))
    writer = AssistantAgent("writer", model_client=writer_model)
    runner = CodeExecutorAgent(
        "runner",
        PerRunExecutor(lambda run_id: LocalCommandLineCodeExecutor(work_dir=tmp_path / run_id, timeout=20)),
        sources=["writer"],
        approval_func=trusted,
    )
    captured = capture(capture_content=capture_content)
    with use(captured.telemetry):
        result = await RoundRobinGroupChat([writer, runner], termination=MaxMessageTermination(3)).run(
            "run it", run_id="code-spans"
        )
    assert result.speakers() == ["user", "writer", "runner"]
    return [s for s in captured.finished() if s.name == "execute_tool code_execution"]


async def test_an_execution_is_one_failed_tool_span_without_the_code_by_default(tmp_path: Path) -> None:
    (span,) = await run_team(tmp_path, capture_content=False)
    attrs = attributes(span)
    assert attrs["switchboard.agent"] == "runner"
    assert attrs["switchboard.run_id"] == "code-spans"
    assert attrs.get("error.type") == "CodeError"  # the second block exited with 2
    assert not any("print('fine')" in str(value) for value in attrs.values())


async def test_the_code_is_on_the_span_when_content_capture_is_on(tmp_path: Path) -> None:
    (span,) = await run_team(tmp_path, capture_content=True)
    assert any("print('fine')" in str(value) for value in attributes(span).values())
