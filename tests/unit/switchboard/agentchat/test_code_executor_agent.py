"""`CodeExecutorAgent` in the in-process runtime, running code for real in the local sandboxed executor.

The code under test appends a line to `runs.txt` in the run's work directory each time it runs, so the file counts
executions: what was filtered out, denied or replayed left no line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard.agentchat import (
    ApprovalRequest,
    ApprovalResponse,
    CodeExecutorAgent,
    CodeExecutorState,
    PerRunExecutor,
)
from switchboard.agentchat.code_blocks import NO_CODE_BLOCKS
from switchboard.agentchat.code_sessions import session_directory
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.errors import AgentDefinitionError
from switchboard.messages import Message
from switchboard.models.scripted import Script, ScriptedModelClient
from switchboard.protocol.input_messages import INPUT_MESSAGES, InputProvided, InputRequested, InputTimedOut
from switchboard.protocol.messages import TEAM_MESSAGES, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InProcessRuntime
from switchboard.testing import received
from tests.unit.switchboard.test_checkpoints import Crash, CrashingCommits

RUN = "run-1"
COUNT = "with open('runs.txt', 'a') as f:\n    print('ran', file=f)\nprint('counted')\n"


def approve_all(request: ApprovalRequest) -> ApprovalResponse:
    return ApprovalResponse(approved=True, reason="trusted in this test")


def per_run(base: Path) -> PerRunExecutor:
    return PerRunExecutor(lambda run_id: LocalCommandLineCodeExecutor(work_dir=base / run_id, timeout=20))


def runs(base: Path, run_id: str = RUN) -> int:
    path = base / run_id / "runs.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def turn(*entries: tuple[str, str], number: int = 0) -> TurnRequested:
    return TurnRequested(
        team="team", turn=number, new_messages=tuple(TranscriptEntry(source=s, content=c) for s, c in entries)
    )


def fence(code: str, language: str = "python") -> str:
    return f"Here it is:\n```{language}\n{code}```\n"


def runtime_for(agent: CodeExecutorAgent, **kwargs: Any) -> InProcessRuntime:
    return InProcessRuntime([agent], extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES), **kwargs)


def replies(runtime: InProcessRuntime) -> list[Message]:
    return [received(runtime, envelope) for envelope in runtime.to_client]


def answers(runtime: InProcessRuntime) -> list[str]:
    return [m.answer.content for m in replies(runtime) if isinstance(m, TurnCompleted)]


def questions(runtime: InProcessRuntime) -> list[InputRequested]:
    decoded = [runtime.router.registry.decode(envelope) for envelope in runtime.unrouted]
    return [m for m in decoded if isinstance(m, InputRequested)]


async def test_only_code_from_its_sources_runs(tmp_path: Path) -> None:
    agent = CodeExecutorAgent("executor", per_run(tmp_path), sources=["coder"], approval_func=approve_all)
    runtime = runtime_for(agent)
    runtime.send(turn(("intruder", fence(COUNT)), ("user", fence(COUNT))), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == [NO_CODE_BLOCKS]
    assert runs(tmp_path) == 0
    runtime.send(turn(("intruder", fence(COUNT)), ("coder", fence(COUNT)), number=1), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime)[-1] == "counted\n"
    assert runs(tmp_path) == 1  # the coder's block, not the intruder's


async def test_blocks_in_unsupported_languages_are_not_code_to_run(tmp_path: Path) -> None:
    agent = CodeExecutorAgent("executor", per_run(tmp_path), supported_languages=["sh"], approval_func=approve_all)
    runtime = runtime_for(agent)
    text = fence(COUNT) + fence("console.log('hi')", "javascript") + fence("echo shell >> runs.txt; echo sh-ran", "sh")
    runtime.send(turn(("coder", text)), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == ["sh-ran\n"]
    assert (tmp_path / RUN / "runs.txt").read_text() == "shell\n"  # the python block was not run


async def test_a_block_the_executor_rejects_comes_back_as_a_failed_result_and_runs_nothing(tmp_path: Path) -> None:
    agent = CodeExecutorAgent(
        "executor", per_run(tmp_path), supported_languages=["python", "ruby"], approval_func=approve_all
    )
    runtime = runtime_for(agent)
    runtime.send(turn(("coder", fence(COUNT) + fence("puts 1", "ruby"))), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    (answer,) = answers(runtime)
    assert "exited with an error (POSIX exit code: 1)" in answer
    assert "'ruby' is not supported" in answer
    assert runs(tmp_path) == 0  # every block is checked before any runs


async def test_without_an_approval_func_the_run_pauses_until_a_person_approves(tmp_path: Path) -> None:
    runtime = runtime_for(CodeExecutorAgent("executor", per_run(tmp_path), approval_timeout=600))
    runtime.send(turn(("coder", fence(COUNT))), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    (question,) = questions(runtime)
    assert question.kind == "approval"
    assert question.agent == "executor"
    assert question.on_timeout == "deny"
    assert question.timeout_seconds == 600
    assert "print('counted')" in question.prompt
    assert answers(runtime) == []
    assert runs(tmp_path) == 0
    state = await runtime.state_of("executor", RUN)
    assert isinstance(state, CodeExecutorState)
    assert state.pending is not None

    runtime.send(InputProvided(request_id="someone-else", approve=True), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert runs(tmp_path) == 0  # a stale answer is ignored
    runtime.send(InputProvided(request_id=question.request_id, approve=True), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == ["counted\n"]
    assert runs(tmp_path) == 1
    state = await runtime.state_of("executor", RUN)
    assert isinstance(state, CodeExecutorState)
    assert state.pending is None
    assert state.executions == 1


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (InputProvided(request_id="", approve=False), "a person denied it"),
        (InputTimedOut(request_id=""), "nobody approved it within 5 s"),
    ],
)
async def test_a_denied_or_unanswered_execution_does_not_run(tmp_path: Path, answer: Message, reason: str) -> None:
    runtime = runtime_for(CodeExecutorAgent("executor", per_run(tmp_path), approval_timeout=5))
    runtime.send(turn(("coder", fence(COUNT))), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    (question,) = questions(runtime)
    runtime.send(answer.model_copy(update={"request_id": question.request_id}), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == [
        f"The script ran, then exited with an error (POSIX exit code: 1)\nIts output was:\n"
        f"Code execution was not approved. Reason: {reason}"
    ]
    assert runs(tmp_path) == 0


async def test_an_approval_func_decides_sync_or_async_and_none_asks_a_person(tmp_path: Path) -> None:
    seen: list[ApprovalRequest] = []

    async def policy(request: ApprovalRequest) -> ApprovalResponse | None:
        seen.append(request)
        if "import os" in request.code:
            return ApprovalResponse(approved=False, reason="no os access")
        if "runs.txt" in request.code:
            return None  # writes a file: a person decides
        return ApprovalResponse(approved=True, reason="pure computation")

    runtime = runtime_for(CodeExecutorAgent("executor", per_run(tmp_path), approval_func=policy))
    runtime.send(turn(("coder", fence("print(6 * 7)"))), to="executor", run_id=RUN)
    runtime.send(turn(("coder", fence("import os\nprint(os.getcwd())")), number=1), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == [
        "42\n",
        "The script ran, then exited with an error (POSIX exit code: 1)\nIts output was:\n"
        "Code execution was not approved. Reason: no os access",
    ]
    assert seen[0].code == "```python\nprint(6 * 7)\n```"
    assert [m.content for m in seen[0].context] == [fence("print(6 * 7)")]
    runtime.send(turn(("coder", fence(COUNT)), number=2), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    (question,) = questions(runtime)
    runtime.send(InputProvided(request_id=question.request_id, approve=True), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime)[-1] == "counted\n"
    assert runs(tmp_path) == 1
    assert len(seen) == 3  # the resumed turn did not ask the policy again


def coder_model(*entries: dict[str, Any]) -> ScriptedModelClient:
    return ScriptedModelClient(Script.model_validate({"agents": {"executor": list(entries)}}))


async def test_with_a_model_it_writes_runs_and_retries_failed_code_then_reflects(tmp_path: Path) -> None:
    broken = "with open('runs.txt', 'a') as f:\n    print('ran', file=f)\nprint(undefined_name)\n"
    model = coder_model(
        {"content": fence(broken)},
        {"structured": {"reason": "undefined_name is not defined; print a literal", "retry": True}},
        {"content": fence(COUNT)},
        {"content": "The count was printed."},
    )
    agent = CodeExecutorAgent(
        "executor", per_run(tmp_path), model_client=model, max_retries_on_error=2, approval_func=approve_all
    )
    runtime = runtime_for(agent)
    runtime.send(turn(("user", "count a run")), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == ["The count was printed."]
    assert runs(tmp_path) == 2  # the failed attempt and the corrected one
    retry_request = model.requests[1]
    assert retry_request.response_format is not None
    assert retry_request.response_format.name == "RetryDecision"
    assert "NameError" in (retry_request.messages[-1].content or "")
    reflection = model.requests[3]
    assert "Proposed correction: undefined_name is not defined" in "\n".join(
        m.content or "" for m in reflection.messages
    )


async def test_a_retry_decision_of_no_stops_after_one_execution(tmp_path: Path) -> None:
    model = coder_model(
        {"content": fence("raise SystemExit(3)")},
        {"structured": {"reason": "the task asks for exit code 3", "retry": False}},
        {"content": "It exited with 3 as asked."},
    )
    agent = CodeExecutorAgent(
        "executor", per_run(tmp_path), model_client=model, max_retries_on_error=3, approval_func=approve_all
    )
    runtime = runtime_for(agent)
    runtime.send(turn(("user", "exit with 3")), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert answers(runtime) == ["It exited with 3 as asked."]
    assert len(model.requests) == 3


async def test_a_redelivered_message_replays_the_execution_instead_of_running_it_again(tmp_path: Path) -> None:
    agent = CodeExecutorAgent("executor", per_run(tmp_path), sources=["coder"], approval_func=approve_all)
    runtime = runtime_for(agent, store=CrashingCommits())
    runtime.send(turn(("coder", fence(COUNT))), to="executor", run_id=RUN)
    with pytest.raises(Crash):  # the code ran, the host died before the hop committed
        await runtime.run_until_idle()
    assert runs(tmp_path) == 1
    await runtime.run_until_idle()  # the broker redelivers the message
    assert runs(tmp_path) == 1
    assert answers(runtime) == ["counted\n"]


async def test_the_session_is_the_runs_so_files_persist_across_turns_and_not_across_runs(tmp_path: Path) -> None:
    agent = CodeExecutorAgent("executor", per_run(tmp_path), approval_func=approve_all)
    runtime = runtime_for(agent)
    for number, run_id in enumerate([RUN, RUN, "run-2"]):
        runtime.send(turn(("coder", fence(COUNT)), number=number), to="executor", run_id=run_id)
        await runtime.run_until_idle()
    assert runs(tmp_path, RUN) == 2
    assert runs(tmp_path, "run-2") == 1


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"max_retries_on_error": 1}, "needs a model client"),
        ({"supported_languages": []}, "at least one language"),
        ({"sources": []}, "nobody's code"),
        ({"approval_timeout": 0}, "positive"),
    ],
)
def test_bad_definitions_are_refused(tmp_path: Path, kwargs: dict[str, Any], complaint: str) -> None:
    with pytest.raises(AgentDefinitionError, match=complaint):
        CodeExecutorAgent("executor", per_run(tmp_path), **kwargs)


def test_descriptions_follow_autogen(tmp_path: Path) -> None:
    terminal = CodeExecutorAgent("executor", per_run(tmp_path))
    assert terminal.description.startswith("A computer terminal")
    writer = CodeExecutorAgent("executor", per_run(tmp_path), model_client=coder_model())
    assert writer.description.startswith("A Code Execution Agent")


async def test_a_plain_executor_is_shared_by_every_run_and_started_once(tmp_path: Path) -> None:
    shared = LocalCommandLineCodeExecutor(work_dir=tmp_path / "shared", timeout=20)
    runtime = runtime_for(CodeExecutorAgent("executor", shared, approval_func=approve_all))
    for number, run_id in enumerate([RUN, "run-2"]):
        runtime.send(turn(("coder", fence(COUNT)), number=number), to="executor", run_id=run_id)
        await runtime.run_until_idle()
    assert (tmp_path / "shared" / "runs.txt").read_text() == "ran\nran\n"
    await shared.stop()


@pytest.mark.parametrize("run_id", ["../escape", "a/b", ".hidden", "x" * 200, "..", "ok..no"])
def test_a_run_id_never_names_a_directory_outside_the_base(tmp_path: Path, run_id: str) -> None:
    directory = session_directory(tmp_path, run_id)
    assert directory.parent == tmp_path
    assert directory.name.startswith("session-")
    assert session_directory(tmp_path, run_id) == directory  # stable: the same run finds its directory again


def test_a_plain_run_id_names_its_directory(tmp_path: Path) -> None:
    assert (
        session_directory(tmp_path, "0b6f3c1e-7d2a-4f7e-9a51-2f4d8e6c1a90").name
        == "0b6f3c1e-7d2a-4f7e-9a51-2f4d8e6c1a90"
    )


def test_it_takes_autogens_parameters() -> None:
    import inspect

    from autogen_agentchat.agents import CodeExecutorAgent as AutoGenCodeExecutorAgent
    from autogen_ext.tools.code_execution import PythonCodeExecutionTool as AutoGenTool

    from switchboard.agentchat import PythonCodeExecutionTool

    theirs = set(inspect.signature(AutoGenCodeExecutorAgent.__init__).parameters) - {"self"}
    ours = set(inspect.signature(CodeExecutorAgent.__init__).parameters) - {"self"}
    # Streaming has no place in a hop that commits its whole turn at once.
    assert theirs - ours == {"model_client_stream"}
    tool_theirs = set(inspect.signature(AutoGenTool.__init__).parameters) - {"self"}
    assert tool_theirs <= set(inspect.signature(PythonCodeExecutionTool.__init__).parameters)


async def test_code_too_long_for_a_person_to_review_is_refused_without_asking(tmp_path: Path) -> None:
    runtime = runtime_for(CodeExecutorAgent("executor", per_run(tmp_path)))
    huge = COUNT + "# padding\n" * 10_000
    runtime.send(turn(("coder", fence(huge))), to="executor", run_id=RUN)
    await runtime.run_until_idle()
    assert questions(runtime) == []
    (answer,) = answers(runtime)
    assert "The code was not run: it is" in answer
    assert "a person reviews at most 32768 bytes" in answer
    assert runs(tmp_path) == 0
