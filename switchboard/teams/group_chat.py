"""`GroupChat`: a team as its user sees it: a manager plus participant agents, runnable in-process or hosted."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any

from switchboard.agent import Agent, CancellationToken, Clock
from switchboard.agent.declarative import Declarative
from switchboard.errors import AgentDefinitionError
from switchboard.protocol.messages import RunCompleted
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InProcessRuntime, StateStore
from switchboard.runtime.protocols import TranscriptLog
from switchboard.teams.errors import TeamRunError
from switchboard.teams.interactive import ApprovalFunc, InputFunc, run_team
from switchboard.teams.manager import GroupChatManager
from switchboard.teams.nested import NestedTeam
from switchboard.teams.result import TeamResult
from switchboard.teams.streaming import StreamItem, stream_run

OnEntry = Callable[[TranscriptEntry], None]


class GroupChat(Declarative):
    """A team: its manager (named after the team) plus its participant agents.

    `agents()` lists every actor, which is what a host needs (the in-process runtime here, Azure Functions in the
    cloud: the same agents, the same code); `run()` runs one task in-process and returns the `TeamResult`.
    """

    def __init__(self, participants: Sequence[Agent[Any]], manager: GroupChatManager) -> None:
        """Pair the `manager` with its `participants` (their names must be the manager's participants)."""
        self.participants = tuple(participants)
        if tuple(p.name for p in self.participants) != manager.participants:
            raise AgentDefinitionError(f"team {manager.name!r}: the manager's participants differ from the agents")
        self.manager = manager

    @property
    def name(self) -> str:
        """The team's name, which is its manager's agent name (send `TaskSubmitted` there)."""
        return self.manager.name

    def agents(self) -> list[Agent[Any]]:
        """Every actor of the team: the manager first, then the participants (a nested team with its own)."""
        return [
            self.manager,
            *(a for p in self.participants for a in (p.actors() if isinstance(p, NestedTeam) else [p])),
        ]

    async def run(
        self,
        task: str,
        *,
        run_id: str | None = None,
        on_entry: OnEntry | None = None,
        clock: Clock | None = None,
        store: StateStore | None = None,
        input_func: InputFunc | None = None,
        approval_func: ApprovalFunc | None = None,
        cancellation_token: CancellationToken | None = None,
    ) -> TeamResult:
        """Run `task` to completion in-process.

        Args:
            task: What the team should do.
            run_id: The run's id (a new UUID by default).
            on_entry: Called with the task and then with each participant's entry as it is produced.
            clock: The managers' and agents' time source (the system clock by default).
            store: Where state and the transcript live (a fresh in-memory store by default; it must implement
                every port).
            input_func: Answers a `UserProxyAgent`'s question (`prompt -> text`, sync or async); default: the
                proxy's own `input_func`, else `input()`.
            approval_func: Decides a tool approval (`InputRequested -> bool`, sync or async).
            cancellation_token: Set it to stop the run at the next step; a running tool gets the signal.

        Returns:
            The transcript, stop reason and usage.

        Raises:
            CancelledError: `cancellation_token` was set.
            Exception: Whatever a participant raised (model errors, script exhausted...), unchanged.
        """
        return await run_team(
            self,
            task,
            run_id=run_id,
            on_entry=on_entry,
            clock=clock,
            store=store,
            input_func=input_func,
            approval_func=approval_func,
            cancellation_token=cancellation_token,
        )

    async def reset(self) -> None:
        """AutoGen's `reset()`: here a no-op, since every run starts fresh (its state lives under its own run id).

        AutoGen's team keeps its conversation between `run()` calls until `reset()`; ours never carries one run
        into the next, which is what AutoGen does after a `reset()`.
        """

    async def run_stream(
        self,
        task: str,
        *,
        run_id: str | None = None,
        clock: Clock | None = None,
        store: StateStore | None = None,
        input_func: InputFunc | None = None,
        approval_func: ApprovalFunc | None = None,
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[StreamItem, None]:
        """Run `task` in-process, yielding each message as it is produced (the task first), then the result.

        AutoGen's `run_stream`: the last item is the `TeamResult` (AutoGen's `TaskResult`), so
        `await Console(team.run_stream(task=...))` prints the run and returns its result. The arguments are
        `run()`'s; the run is the same one `run()` makes, only observed as it goes.

        Raises:
            CancelledError: `cancellation_token` was set.
            Exception: Whatever a participant raised, after the messages produced before it.
        """

        def start(on_entry: OnEntry) -> Awaitable[TeamResult]:
            return self.run(
                task,
                run_id=run_id,
                on_entry=on_entry,
                clock=clock,
                store=store,
                input_func=input_func,
                approval_func=approval_func,
                cancellation_token=cancellation_token,
            )

        async for item in stream_run(start):
            yield item


async def completed_result(runtime: InProcessRuntime, run_id: str, team: str) -> TeamResult:
    """The result of `run_id` from the `RunCompleted` an idle runtime holds.

    Raises:
        TeamRunError: The run went idle without completing.
    """
    for envelope in runtime.unrouted:
        if envelope.type == RunCompleted.message_type and envelope.run_id == run_id:
            done = runtime.router.registry.decode(envelope)
            assert isinstance(done, RunCompleted)
            log = runtime.store
            assert isinstance(log, TranscriptLog)
            return TeamResult.from_message(done, run_id, await log.read(run_id, 0, done.entry_count))
    raise TeamRunError(f"team {team!r} went idle in run {run_id} without completing")
