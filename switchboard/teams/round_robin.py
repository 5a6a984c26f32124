"""`RoundRobinGroupChat`: a team whose participants speak in turn, run on Switchboard's actor runtime."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from switchboard.agent import Agent
from switchboard.errors import SwitchboardError
from switchboard.runtime import InMemoryStateStore, InProcessRuntime
from switchboard.teams.manager import RoundRobinManager
from switchboard.teams.messages import TEAM_MESSAGES, RunCompleted, TaskSubmitted, TurnCompleted
from switchboard.teams.result import TeamResult
from switchboard.teams.transcript import TranscriptEntry
from switchboard.termination import TerminationCondition

OnEntry = Callable[[TranscriptEntry], None]


class TeamRunError(SwitchboardError):
    """A team run went idle without the manager publishing `RunCompleted`."""


class RoundRobinGroupChat:
    """A team: a `RoundRobinManager` named `name` plus its participant agents.

    `agents()` lists every actor, which is what a host (the in-process runtime here, Azure Functions in the
    cloud) needs; `run()` runs one task in-process and returns the `TeamResult`.

    Example:
        >>> team = RoundRobinGroupChat([writer, reviewer], termination=TextMentionTermination("APPROVE"))
        >>> result = await team.run("Write a haiku about queues")
    """

    def __init__(
        self,
        participants: Sequence[Agent[Any]],
        *,
        termination: TerminationCondition | None = None,
        max_turns: int | None = None,
        name: str = "team",
    ) -> None:
        """Build the manager for `participants` (they speak in this order)."""
        self.participants = tuple(participants)
        self.manager = RoundRobinManager(
            name, [p.name for p in self.participants], termination=termination, max_turns=max_turns
        )

    @property
    def name(self) -> str:
        """The team's name, which is its manager's agent name (send `TaskSubmitted` there)."""
        return self.manager.name

    def agents(self) -> list[Agent[Any]]:
        """Every actor of the team: the manager first, then the participants."""
        return [self.manager, *self.participants]

    async def run(self, task: str, *, run_id: str | None = None, on_entry: OnEntry | None = None) -> TeamResult:
        """Run `task` to completion in-process.

        Args:
            task: What the team should do.
            run_id: The run's id (a new UUID by default).
            on_entry: Called with the task and then with each participant's entry as it is produced.

        Returns:
            The transcript, stop reason and usage.

        Raises:
            Exception: Whatever a participant raised (model errors, script exhausted...), unchanged.
        """
        run = run_id or str(uuid.uuid4())
        store = InMemoryStateStore(inbox_limit=64)
        runtime = InProcessRuntime(self.agents(), store=store, extra_messages=TEAM_MESSAGES)
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
        for envelope in runtime.unrouted:
            if envelope.type == RunCompleted.message_type and envelope.run_id == run:
                done = runtime.router.registry.decode(envelope)
                assert isinstance(done, RunCompleted)
                return TeamResult.from_message(done, run, await store.read(run, 0, done.entry_count))
        raise TeamRunError(f"team {self.name!r} went idle in run {run} without completing")
