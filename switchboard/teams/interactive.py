"""In-process team runs with a person in the loop and cancellation: the same protocol the hosts use.

A hosted run pauses durably (`awaiting_input`) and resumes on `POST /api/runs/{id}/input`. In-process, the run
loop plays the host's part: when the runtime goes idle with an open `InputRequested`, it asks the person through a
callback (AutoGen style: `input_func(prompt) -> str` for a user proxy, `approval_func(request) -> bool` for a tool
approval), under the request's timeout, and delivers the answer as `InputProvided` (or `InputTimedOut`) to the
waiting agent — the very messages the hosted path sends. A `CancellationToken` stops the run at the next step
boundary and is handed to handlers and tools while they run.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from switchboard.agent import CancellationToken, Clock
from switchboard.errors import CancelledError, SwitchboardError
from switchboard.messages import Message
from switchboard.protocol.input_messages import INPUT_MESSAGES, InputProvided, InputRequested, InputTimedOut, RunStopped
from switchboard.protocol.messages import TEAM_MESSAGES, RunCompleted, TaskSubmitted, TurnCompleted
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InMemoryStateStore, InProcessRuntime, StateStore
from switchboard.runtime.protocols import TranscriptLog
from switchboard.teams.errors import TeamRunError
from switchboard.teams.result import TeamResult
from switchboard.teams.team import Team

OnEntry = Callable[[TranscriptEntry], None]
InputFunc = Callable[[str], str | Awaitable[str]]
ApprovalFunc = Callable[[InputRequested], bool | Awaitable[bool]]
M = TypeVar("M", bound=Message)


class InputRequiredError(SwitchboardError):
    """An in-process run needs a person's answer and was given no callback to ask with."""


async def run_team(
    team: Team,
    task: str,
    *,
    run_id: str | None = None,
    on_entry: OnEntry | None = None,
    input_func: InputFunc | None = None,
    approval_func: ApprovalFunc | None = None,
    cancellation_token: CancellationToken | None = None,
    clock: Clock | None = None,
    store: StateStore | None = None,
) -> TeamResult:
    """Run `task` on `team` in-process, asking a person through the callbacks when an agent waits for one.

    Args:
        team: The team.
        task: What the team should do.
        run_id: The run's id (a new UUID by default).
        on_entry: Called with the task and then with each participant's entry as it is produced.
        input_func: Answers a user proxy's question (`prompt -> text`); default: the proxy's own `input_func`,
            else `input()` on the console.
        approval_func: Decides a tool approval (`InputRequested -> bool`); without it an approval raises
            `InputRequiredError`.
        cancellation_token: Cancels the run: it stops before the next step, a running tool gets the signal, and
            `run_team` raises `CancelledError`.
        clock: The agents' time source.
        store: Where state and the transcript live (in memory by default; it must implement every port).

    Returns:
        The transcript, stop reason and usage (a run stopped by a timeout has that as its stop reason).

    Raises:
        CancelledError: The token was set.
        InputRequiredError: An approval was asked and no `approval_func` was given.
    """
    run = run_id or str(uuid.uuid4())
    token = cancellation_token or CancellationToken()
    store = store or InMemoryStateStore(inbox_limit=64)
    runtime = InProcessRuntime(
        team.agents(), store=store, clock=clock, extra_messages=(*TEAM_MESSAGES, *INPUT_MESSAGES)
    )
    runtime.cancellation = token
    runtime.send(TaskSubmitted(task=task), to=team.name, run_id=run)
    if on_entry is not None:
        on_entry(TranscriptEntry(source="user", content=task, kind="task"))
    asked = 0
    while True:
        token.raise_if_cancelled()
        result = await runtime.step()
        if result is not None:
            # An answer goes out as a ref to the attachment committed with it: the entry is in the same commit.
            attached = {attachment.id: attachment.body for attachment in result.commit.attachments}
            for envelope in result.outgoing:
                if on_entry is not None and envelope.type == TurnCompleted.message_type:
                    on_entry(_decode(runtime, envelope, TurnCompleted).resolve([], attached).answer)
            continue
        questions = [e for e in runtime.unrouted[asked:] if e.type == InputRequested.message_type]
        asked = len(runtime.unrouted)
        if not questions:
            break
        for envelope in questions:
            question = _decode(runtime, envelope, InputRequested)
            answer = await _ask(runtime, question, input_func, approval_func, token)
            runtime.send(answer, to=question.agent, run_id=run)
    return await _result(runtime, run, team.name)


async def _ask(
    runtime: InProcessRuntime,
    question: InputRequested,
    input_func: InputFunc | None,
    approval_func: ApprovalFunc | None,
    token: CancellationToken,
) -> Message:
    call: Callable[[], Any]
    if question.kind == "approval":
        if approval_func is None:
            raise InputRequiredError(
                f"{question.agent} needs approval to call {question.tool}: pass approval_func to run()"
            )
        decide = approval_func
        call = lambda: decide(question)  # noqa: E731
    else:
        ask = input_func or getattr(runtime.router.agent(question.agent), "input_func", None) or input
        call = lambda: ask(question.prompt + "\n> ")  # noqa: E731
    waiting = asyncio.ensure_future(_call(call))
    stop = functools.partial(_cancel, waiting)
    token.add_callback(stop)
    try:
        value = await asyncio.wait_for(waiting, timeout=question.timeout_seconds)
    except TimeoutError:
        return InputTimedOut(request_id=question.request_id)
    except asyncio.CancelledError:
        if token.is_cancelled:
            raise CancelledError("the run was cancelled while it waited for input") from None
        raise
    finally:
        token.remove_callback(stop)
    if question.kind == "approval":
        return InputProvided(request_id=question.request_id, approve=bool(value))
    return InputProvided(request_id=question.request_id, input=str(value))


async def _call(call: Callable[[], Any]) -> Any:
    # A blocking callback (such as `input`) runs on a thread so the timeout and the cancellation still fire.
    if inspect.iscoroutinefunction(call):
        return await call()
    value = await asyncio.to_thread(call)
    return await value if inspect.isawaitable(value) else value


async def _result(runtime: InProcessRuntime, run_id: str, team: str) -> TeamResult:
    log = runtime.store
    assert isinstance(log, TranscriptLog)
    for envelope in runtime.unrouted:
        if envelope.run_id != run_id:
            continue
        if envelope.type == RunCompleted.message_type:
            done = _decode(runtime, envelope, RunCompleted)
            return TeamResult.from_message(done, run_id, await log.read(run_id, 0, done.entry_count))
        if envelope.type == RunStopped.message_type:
            stopped = _decode(runtime, envelope, RunStopped)
            entries = await log.read(run_id, 0)
            return TeamResult(
                run_id=run_id,
                transcript=tuple(TranscriptEntry.model_validate(entry) for entry in entries),
                stop_reason=stopped.stop_reason,
                usage={},
            )
    raise TeamRunError(f"team {team!r} went idle in run {run_id} without completing")


def _decode(runtime: InProcessRuntime, envelope: Any, kind: type[M]) -> M:
    message = runtime.router.registry.decode(envelope)
    assert isinstance(message, kind)
    return message


def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
