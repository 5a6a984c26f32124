"""`RoundRobinManager`: the team manager agent. Participants speak in turn until a termination condition fires.

The manager is the single writer of the run's transcript. The entries are separate items in the run's store
(appended through `ctx.transcript`, committed with the manager's state), so `TeamState` holds only counters — how
long the transcript is, whose turn it is, what each participant has seen, usage per agent and the termination
conditions' own state — and stays the same size however long the run. Any host can handle the next message of the
run after a restart. Duplicate or stale messages (at-least-once delivery) are recognised and ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import Usage
from switchboard.teams.messages import RunCompleted, TaskSubmitted, TurnCompleted, TurnRequested
from switchboard.teams.transcript import TranscriptEntry
from switchboard.termination import ConditionState, TerminationCondition


class TeamState(AgentState):
    """The manager's state for one run: counters only (the transcript is stored entry by entry).

    Attributes:
        started: Whether the task arrived (a redelivered start is ignored).
        length: How many transcript entries the run has (the next entry's index).
        turn: The turn being asked for (answers carrying another turn are stale).
        speaker: The position of the participant whose turn it is.
        seen: Per participant, how many entries it has been shown.
        termination: The termination conditions' persisted counters.
        usage: Tokens spent per agent.
        stop_reason: Why the run stopped, once it has.
    """

    started: bool = False
    length: int = 0
    turn: int = 0
    speaker: int = 0
    seen: dict[str, int] = Field(default_factory=dict)
    termination: ConditionState | None = None
    usage: dict[str, Usage] = Field(default_factory=dict)
    stop_reason: str | None = None


class RoundRobinManager(Agent[TeamState]):
    """Asks participants to speak in a fixed order and publishes `RunCompleted` when the run ends."""

    def __init__(
        self,
        name: str,
        participants: Sequence[str],
        *,
        termination: TerminationCondition | None = None,
        max_turns: int | None = None,
        description: str = "",
    ) -> None:
        """Manage `participants` (agent names, in speaking order); stop on `termination` or after `max_turns`."""
        super().__init__(name, description=description or f"round-robin team of {', '.join(participants)}")
        if not participants:
            raise AgentDefinitionError(f"team {name!r} needs at least one participant")
        if len(set(participants)) != len(participants) or name in participants:
            raise AgentDefinitionError(f"team {name!r}: participant names must be unique and differ from the team")
        if termination is None and max_turns is None:
            raise AgentDefinitionError(f"team {name!r} would never stop: give a termination condition or max_turns")
        self.participants = tuple(participants)
        self.termination = termination
        self.max_turns = max_turns

    async def handle(self, message: TaskSubmitted | TurnCompleted, ctx: AgentContext[TeamState]) -> None:
        """Start the run, or record a participant's turn and pick the next speaker."""
        state = ctx.state
        if isinstance(message, TaskSubmitted):
            if state.started:
                return  # a redelivered start
            state.started = True
            self._record(ctx, TranscriptEntry(source="user", content=message.task, kind="task"))
        else:
            if state.stop_reason is not None or message.turn != state.turn or message.team != self.name:
                return  # late, duplicated or foreign answer
            self._record(ctx, message.entry)
            # The speaker already has its own reply in its history.
            state.seen = {**state.seen, message.entry.source: state.length}
            state.turn += 1
            state.speaker = (state.speaker + 1) % len(self.participants)
        if state.stop_reason is None and self.max_turns is not None and state.turn >= self.max_turns:
            state.stop_reason = f"maximum number of turns {self.max_turns} reached"
        if state.stop_reason is not None:
            ctx.publish(
                RunCompleted(
                    team=self.name, stop_reason=state.stop_reason, usage=dict(state.usage), entry_count=state.length
                )
            )
            return
        speaker = self.participants[state.speaker]
        unseen = await ctx.transcript.since(state.seen.get(speaker, 0))
        state.seen = {**state.seen, speaker: state.length}
        ctx.send(
            TurnRequested(
                team=self.name,
                turn=state.turn,
                new_messages=tuple(TranscriptEntry.model_validate(entry) for entry in unseen),
            ),
            to=speaker,
        )

    def _record(self, ctx: AgentContext[TeamState], entry: TranscriptEntry) -> None:
        state = ctx.state
        ctx.transcript.append(entry.model_dump(mode="json"), index=state.length)
        state.length += 1
        if entry.kind != "task":
            state.usage = {**state.usage, entry.source: state.usage.get(entry.source, Usage()) + entry.usage}
        if self.termination is not None:
            current = state.termination or self.termination.initial_state()
            state.termination = self.termination.check([entry], current)
            state.stop_reason = state.termination.stopped
