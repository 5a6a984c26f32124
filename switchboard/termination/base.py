"""`TerminationCondition`: decides from what a team run did since the last check whether the run stops.

Conditions are pure: their counters live in a `ConditionState` that the team manager keeps in its persisted
`AgentState`, so a run restored on another host (after a crash, or on the next message) keeps counting where it
was. `check` takes the old state and returns the new one; it never mutates the condition object.

What a condition sees is a `RunDelta`: the transcript entries added since the last check (as AutoGen's conditions
see the messages since their last call), the model calls the team manager made itself (speaker selection,
orchestration: AutoGen's conditions never see those), and the time of the check.

Semantics follow AutoGen's: `a | b` stops as soon as either stops; `a & b` stops once all have stopped (each
child latches: it remembers that it fired, possibly on different messages, and is not asked again).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from switchboard.agent.declarative import Declarative
from switchboard.models.chat import Usage
from switchboard.protocol.transcript import TranscriptEntry


@dataclass(frozen=True)
class ModelCall:
    """One model call that no transcript entry accounts for (a team manager's own call).

    Attributes:
        agent: Who made the call (the manager's name).
        model: The model that answered, for pricing.
        usage: Tokens spent.
    """

    agent: str
    model: str | None
    usage: Usage


@dataclass(frozen=True)
class RunDelta:
    """What happened in a run since the previous check.

    Attributes:
        entries: New transcript entries, oldest first (the task counts as one).
        calls: The manager's own model calls since the previous check.
        now: The time of the check (from the manager's clock), for time budgets.
    """

    entries: tuple[TranscriptEntry, ...] = ()
    calls: tuple[ModelCall, ...] = ()
    now: datetime | None = None

    def spending(self) -> Iterator[tuple[str | None, Usage]]:
        """Every (model, usage) pair of the delta: each entry's turn and each of the manager's calls."""
        for entry in self.entries:
            yield entry.model, entry.usage
        for call in self.calls:
            yield call.model, call.usage

    @property
    def usage(self) -> Usage:
        """Tokens of every model call in the delta."""
        total = Usage()
        for _, usage in self.spending():
            total += usage
        return total


class ConditionState(BaseModel):
    """The persisted state of one condition (and, for combinators, of its children).

    Attributes:
        count: A counter the condition may use (messages seen, tool calls made...).
        prompt_tokens: Prompt tokens counted so far (token budgets).
        completion_tokens: Completion tokens counted so far (token budgets).
        cost: Money spent so far (cost budgets).
        started_at: When the condition first checked (time budgets measure from it).
        stopped: Why the condition fired, once it has.
        children: The states of a combinator's children, in order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    started_at: datetime | None = None
    stopped: str | None = None
    children: tuple[ConditionState, ...] = Field(default=())


class TerminationCondition(Declarative, ABC):
    """Base of every termination condition."""

    def initial_state(self) -> ConditionState:
        """The state before the run's first message."""
        return ConditionState()

    async def check(self, delta: RunDelta | Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Look at what happened since the last check.

        A condition that has fired stays fired: its state is returned unchanged.

        Args:
            delta: What happened since the previous check; a plain sequence of entries is taken as a delta of
                just those entries.
            state: This condition's state after the previous check.

        Returns:
            The new state; `stopped` is set when the run must stop.
        """
        if state.stopped:
            return state
        return await self.evaluate(delta if isinstance(delta, RunDelta) else RunDelta(entries=tuple(delta)), state)

    @abstractmethod
    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Compute the new state of a condition that has not fired yet (what subclasses implement)."""

    def __and__(self, other: TerminationCondition) -> TerminationCondition:
        return AndTerminationCondition(self, other)

    def __or__(self, other: TerminationCondition) -> TerminationCondition:
        return OrTerminationCondition(self, other)


class _Combinator(TerminationCondition):
    def __init__(self, *conditions: TerminationCondition) -> None:
        # Flatten (a | b) | c so the state tree stays shallow and readable.
        flat: list[TerminationCondition] = []
        for condition in conditions:
            flat.extend(condition.conditions if type(condition) is type(self) else [condition])
        self.conditions: tuple[TerminationCondition, ...] = tuple(flat)

    def initial_state(self) -> ConditionState:
        return ConditionState(children=tuple(c.initial_state() for c in self.conditions))

    def _children(self, state: ConditionState) -> tuple[ConditionState, ...]:
        if len(state.children) != len(self.conditions):
            return tuple(c.initial_state() for c in self.conditions)
        return state.children


class OrTerminationCondition(_Combinator):
    """Stops when any of its conditions stops."""

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Check every child (so all counters advance); stop if any fired."""
        children = tuple([await c.check(delta, s) for c, s in zip(self.conditions, self._children(state), strict=True)])
        reasons = [s.stopped for s in children if s.stopped]
        return ConditionState(children=children, stopped="; ".join(reasons) if reasons else None)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.conditions))


class AndTerminationCondition(_Combinator):
    """Stops once every one of its conditions has stopped; a child that fired is latched and not asked again."""

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Check the children that have not fired yet; stop when all have."""
        children = tuple(
            [
                s if s.stopped else await c.check(delta, s)
                for c, s in zip(self.conditions, self._children(state), strict=True)
            ]
        )
        done = all(s.stopped for s in children)
        return ConditionState(children=children, stopped="; ".join(s.stopped or "" for s in children) if done else None)

    def __repr__(self) -> str:
        return " & ".join(f"({c!r})" for c in self.conditions)


AndCondition = AndTerminationCondition
"""The name this package used before it took AutoGen's."""

OrCondition = OrTerminationCondition
"""The name this package used before it took AutoGen's."""
