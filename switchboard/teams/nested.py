"""Nested teams: a team as a participant of another.

The inner team's manager is wrapped in a `NestedTeam` agent of the same name, which the outer manager addresses
like any participant. A `TurnRequested` starts an inner episode (the unseen outer entries become the inner task);
the inner manager then runs its own loop with its own participants, each hop a separate message as usual; when it
would publish `RunCompleted`, the wrapper answers the outer manager with one `TurnCompleted` instead: the inner
run's last entry, carrying the tokens the whole episode spent. Like AutoGen's team-in-a-team, the inner team keeps
its conversation across episodes (each episode restarts its termination condition and turn count).

Both managers write the run's one transcript log, so the inner team writes its entries in its own index range
(`transcript_offset`, far above any outer index): the outer transcript, its `RunCompleted.entry_count` and the run's
result stay exactly the outer team's, and the inner entries are still stored item by item in the run's partition.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import Field

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.agent.transcript_buffer import EmptyTranscript, TranscriptBuffer
from switchboard.models.chat import Usage
from switchboard.protocol.messages import RunCompleted, TaskSubmitted, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams.manager import TeamState
from switchboard.teams.team import Team

_RANGE = 1_000_000
"""Transcript indexes per nested team: an outer run never reaches this many entries."""

_RANGES = 1_000_000
"""Ranges the default offsets spread over, so two teams' names rarely share one (indexes stay below 2**53)."""


def default_offset(name: str) -> int:
    """A nested team's transcript range from its name (stable across processes, unlike `hash`)."""
    return _RANGE * (1 + zlib.crc32(name.encode()) % _RANGES)


class NestedTeamState(AgentState):
    """The wrapper's state: the inner manager's state plus the outer request being answered.

    Attributes:
        inner: The inner manager's state, as JSON.
        parent: The outer manager that asked (None before the first request).
        parent_team: The team name to answer to.
        parent_turn: The outer turn being answered.
        active: Whether an episode is running.
        usage_at_start: The inner team's tokens when the episode began (the answer carries the difference).
    """

    inner: dict[str, Any] = Field(default_factory=dict)
    parent: str | None = None
    parent_team: str = ""
    parent_turn: int = -1
    active: bool = False
    usage_at_start: Usage = Field(default_factory=Usage)


class _RangedTranscript(TranscriptBuffer):
    """The inner manager's view of the transcript: its own index range of the hop's buffer."""

    def __init__(self, outer: TranscriptBuffer, run_id: str, offset: int, length: Callable[[], int]) -> None:
        super().__init__(EmptyTranscript(), run_id)
        self._outer = outer
        self._offset = offset
        self._length = length

    def append(self, entry: Mapping[str, Any], *, index: int) -> None:
        self._outer.append(entry, index=self._offset + index)

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def pending(self) -> list[tuple[int, Mapping[str, Any]]]:
        return [(i - self._offset, e) for i, e in self._outer.pending if i >= self._offset]

    async def since(self, index: int) -> list[Mapping[str, Any]]:
        # Bounded to this range, so a read never pulls in another nested team's entries.
        start, end = self._offset + index, self._offset + self._length()
        pending = [(i, entry) for i, entry in self._outer.pending if start <= i < end]
        first_pending = pending[0][0] if pending else end
        stored = await self._outer._log.read(self._run_id, start, first_pending) if start < first_pending else []
        return [*stored, *(entry for _, entry in pending)]


def _total(usage: Mapping[str, Usage]) -> Usage:
    total = Usage()
    for spent in usage.values():
        total += spent
    return total


def render_task(entries: Sequence[TranscriptEntry]) -> str:
    """The inner task from the outer entries the team had not seen: one entry as is, several with their sources."""
    if len(entries) == 1:
        return entries[0].content
    return "\n\n".join(f"{entry.source}: {entry.content}" for entry in entries)


class NestedTeam(Agent[NestedTeamState]):
    """Takes an outer team's `TurnRequested` for a whole inner team, and answers when the inner run ends."""

    def __init__(self, team: Team, *, transcript_offset: int | None = None) -> None:
        """Wrap `team`'s manager (the wrapper takes the team's name)."""
        super().__init__(team.name, description=team.manager.description)
        self.manager = team.manager
        self.inner_agents = [agent for agent in team.agents() if agent is not team.manager]
        self.offset = transcript_offset if transcript_offset is not None else default_offset(team.name)

    def actors(self) -> list[Agent[Any]]:
        """This wrapper and every actor of the inner team but its manager (what a host must run)."""
        return [self, *self.inner_agents]

    async def handle(self, message: TurnRequested | TurnCompleted, ctx: AgentContext[NestedTeamState]) -> None:
        """Start an inner episode, or pass an inner participant's answer to the inner manager."""
        state = ctx.state
        inner = self.manager.state_type.restore(state.inner, self.manager.state_type.state_version)
        assert isinstance(inner, TeamState)
        if isinstance(message, TurnRequested):
            if state.active and state.parent_turn == message.turn:
                return  # a redelivered request
            state.parent = ctx.sender or message.team
            state.parent_team, state.parent_turn, state.active = message.team, message.turn, True
            state.usage_at_start = _total(inner.usage)
            inner = inner.model_copy(update={"started": False, "stop_reason": None, "termination": None, "turn": 0})
            step: TaskSubmitted | TurnCompleted = TaskSubmitted(task=render_task(message.new_messages))
        elif not state.active:
            return  # an answer after the episode ended
        else:
            step = message
        inner_ctx = self._inner_context(ctx, inner)
        await self.manager.handle(step, inner_ctx)
        for emission in inner_ctx.outbox:
            if isinstance(emission.message, RunCompleted):
                await self._answer(ctx, inner_ctx)
            elif emission.to is None:
                ctx.publish(emission.message)
            else:
                ctx.send(emission.message, to=emission.to)
        state.inner = inner_ctx.state.model_dump(mode="json")

    def _inner_context(self, ctx: AgentContext[NestedTeamState], inner: TeamState) -> AgentContext[TeamState]:
        inner_ctx: AgentContext[TeamState] = AgentContext(
            agent_name=self.name, envelope=ctx.envelope, state=inner, clock=ctx.clock, cancellation=ctx.cancellation
        )
        # One step ledger per hop: the inner manager's model calls are journaled as the wrapper's steps.
        inner_ctx.steps = ctx.steps
        inner_ctx.transcript = _RangedTranscript(
            ctx.transcript, ctx.run_id, self.offset, lambda: inner_ctx.state.length
        )
        return inner_ctx

    async def _answer(self, ctx: AgentContext[NestedTeamState], inner_ctx: AgentContext[TeamState]) -> None:
        state, inner = ctx.state, inner_ctx.state
        last = await inner_ctx.transcript.since(inner.length - 1) if inner.length else []
        final = TranscriptEntry.model_validate(last[-1]) if last else None
        spent = _total(inner.usage)
        usage = Usage(
            prompt_tokens=spent.prompt_tokens - state.usage_at_start.prompt_tokens,
            completion_tokens=spent.completion_tokens - state.usage_at_start.completion_tokens,
        )
        entry = TranscriptEntry(
            source=self.name,
            content=final.content if final is not None else "",
            usage=usage,
            tool_calls=final.tool_calls if final is not None else (),
        )
        assert state.parent is not None
        ctx.send(TurnCompleted(team=state.parent_team, turn=state.parent_turn, entry=entry), to=state.parent)
        state.active = False


def as_participants(participants: Sequence[Agent[Any] | Team]) -> list[Agent[Any]]:
    """The participants as agents: each team wrapped in a `NestedTeam` (which brings its actors along)."""
    return [p if isinstance(p, Agent) else NestedTeam(p) for p in participants]
