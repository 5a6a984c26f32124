"""`GroupChat`: a team as its user sees it: a manager plus participant agents, runnable in-process or hosted."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from switchboard.agent import Agent, Clock
from switchboard.errors import AgentDefinitionError
from switchboard.runtime import InMemoryStateStore, InProcessRuntime, StateStore
from switchboard.runtime.protocols import TranscriptLog
from switchboard.teams.errors import TeamRunError
from switchboard.teams.manager import GroupChatManager
from switchboard.teams.messages import TEAM_MESSAGES, RunCompleted, TaskSubmitted, TurnCompleted
from switchboard.teams.result import TeamResult
from switchboard.teams.transcript import TranscriptEntry

OnEntry = Callable[[TranscriptEntry], None]


class GroupChat:
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
        """Every actor of the team: the manager first, then the participants."""
        return [self.manager, *self.participants]

    async def run(
        self,
        task: str,
        *,
        run_id: str | None = None,
        on_entry: OnEntry | None = None,
        clock: Clock | None = None,
        store: StateStore | None = None,
    ) -> TeamResult:
        """Run `task` to completion in-process.

        Args:
            task: What the team should do.
            run_id: The run's id (a new UUID by default).
            on_entry: Called with the task and then with each participant's entry as it is produced.
            clock: The managers' and agents' time source (the system clock by default).
            store: Where state and the transcript live (a fresh in-memory store by default; it must implement
                every port).

        Returns:
            The transcript, stop reason and usage.

        Raises:
            Exception: Whatever a participant raised (model errors, script exhausted...), unchanged.
        """
        run = run_id or str(uuid.uuid4())
        store = store or InMemoryStateStore(inbox_limit=64)
        runtime = InProcessRuntime(self.agents(), store=store, clock=clock, extra_messages=TEAM_MESSAGES)
        runtime.send(TaskSubmitted(task=task), to=self.name, run_id=run)
        if on_entry is not None:
            on_entry(TranscriptEntry(source="user", content=task, kind="task"))
        while (result := await runtime.step()) is not None:
            if on_entry is None:
                continue
            for envelope in result.outgoing:
                if envelope.type == TurnCompleted.message_type:
                    completed = runtime.router.registry.decode(envelope)
                    assert isinstance(completed, TurnCompleted)
                    on_entry(completed.entry)
        return await completed_result(runtime, run, self.name)


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
