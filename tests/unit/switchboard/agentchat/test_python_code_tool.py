"""`PythonCodeExecutionTool` in an `AssistantAgent`: approved first by default, run once, in the run's session."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.agentchat import AssistantAgent, PerRunExecutor, PythonCodeExecutionTool
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.models.chat import ToolCall
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.input_messages import INPUT_MESSAGES, InputProvided, InputRequested
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InProcessRuntime
from switchboard.testing import received
from tests.unit.switchboard.test_checkpoints import Crash, CrashingCommits

RUN = "run-1"
CODE = "with open('runs.txt', 'a') as f:\n    print('ran', file=f)\nprint(sum(range(10)))"


def analyst(tool: PythonCodeExecutionTool) -> AssistantAgent:
    model = ScriptedModelClient(
        Script.model_validate(
            {
                "agents": {
                    "analyst": [
                        {"tool_calls": [{"name": "CodeExecutor", "arguments": {"code": CODE}}]},
                        {"content": "The sum is 45."},
                    ]
                }
            }
        )
    )
    return AssistantAgent("analyst", model_client=model, tools=[tool])


def ask() -> TurnRequested:
    return TurnRequested(team="team", turn=0, new_messages=(TranscriptEntry(source="user", content="sum 0..9"),))


def tool_for(base: Path, **kwargs: object) -> PythonCodeExecutionTool:
    executor = PerRunExecutor(lambda run_id: LocalCommandLineCodeExecutor(work_dir=base / run_id, timeout=20))
    return PythonCodeExecutionTool(executor, **kwargs)  # type: ignore[arg-type]


def runs(base: Path) -> int:
    path = base / RUN / "runs.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_the_tool_looks_like_autogens_to_the_model(tmp_path: Path) -> None:
    tool = tool_for(tmp_path)
    assert tool.spec.name == "CodeExecutor"
    assert tool.spec.parameters["required"] == ["code"]
    assert set(tool.spec.parameters["properties"]) == {"code"}  # the cancellation token is hidden
    assert tool.approval == "always"


async def test_a_call_waits_for_approval_then_runs_in_the_runs_work_directory(tmp_path: Path) -> None:
    runtime = InProcessRuntime([analyst(tool_for(tmp_path))], extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
    runtime.send(ask(), to="analyst", run_id=RUN)
    await runtime.run_until_idle()
    (question,) = [m for m in map(runtime.router.registry.decode, runtime.unrouted) if isinstance(m, InputRequested)]
    assert question.tool == "CodeExecutor"
    assert runs(tmp_path) == 0
    runtime.send(InputProvided(request_id=question.request_id, approve=True), to="analyst", run_id=RUN)
    await runtime.run_until_idle()
    (done,) = [m for m in (received(runtime, e) for e in runtime.to_client) if isinstance(m, TurnCompleted)]
    assert done.answer.content == "The sum is 45."
    assert runs(tmp_path) == 1


async def test_a_redelivered_turn_does_not_run_the_code_again(tmp_path: Path) -> None:
    agent = analyst(tool_for(tmp_path, approval="never"))
    runtime = InProcessRuntime([agent], store=CrashingCommits(), extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES))
    runtime.send(ask(), to="analyst", run_id=RUN)
    with pytest.raises(Crash):  # the code ran, the host died before the hop committed
        await runtime.run_until_idle()
    assert runs(tmp_path) == 1
    await runtime.run_until_idle()
    assert runs(tmp_path) == 1


async def test_outside_a_run_the_tool_runs_in_a_session_of_its_own(tmp_path: Path) -> None:
    tool = tool_for(tmp_path, approval="never")
    result = await tool.run(ToolCall(id="c1", name="CodeExecutor", arguments='{"code": "print(2 + 2)"}'))
    assert result.content == "4\n"
    assert not result.is_error
    assert (tmp_path / "no-run").is_dir()  # its own work directory, not a run's
