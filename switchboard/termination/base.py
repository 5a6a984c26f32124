"""`TerminationCondition`: decides from new transcript entries whether a team run stops.

Conditions are pure: their counters live in a `ConditionState` that the team manager keeps in its persisted
`AgentState`, so a run restored on another host (after a crash, or on the next message) keeps counting where it
was. `check` takes the old state and returns the new one; it never mutates the condition object.

Semantics follow AutoGen's: `a | b` stops as soon as either stops; `a & b` stops once both have stopped (each
child remembers that it fired, possibly on different messages).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    # Only a type here: importing the teams package at run time would be circular.
    from switchboard.teams.transcript import TranscriptEntry


class ConditionState(BaseModel):
    """The persisted state of one condition (and, for combinators, of its children).

    Attributes:
        count: A counter the condition may use (messages seen, tokens spent...).
        stopped: Why the condition fired, once it has.
        children: The states of a combinator's children, in order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = 0
    stopped: str | None = None
    children: tuple[ConditionState, ...] = Field(default=())


class TerminationCondition(ABC):
    """Base of every termination condition."""

    def initial_state(self) -> ConditionState:
        """The state before the run's first message."""
        return ConditionState()

    @abstractmethod
    def check(self, entries: Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Look at the entries added since the last check.

        Args:
            entries: New transcript entries (the task counts as one).
            state: This condition's state after the previous check.

        Returns:
            The new state; `stopped` is set when the run must stop.
        """

    def __and__(self, other: TerminationCondition) -> TerminationCondition:
        return AndCondition(self, other)

    def __or__(self, other: TerminationCondition) -> TerminationCondition:
        return OrCondition(self, other)


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


class OrCondition(_Combinator):
    """Stops when any of its conditions stops."""

    def check(self, entries: Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Check every child (so all counters advance); stop if any fired."""
        children = tuple(c.check(entries, s) for c, s in zip(self.conditions, self._children(state), strict=True))
        reasons = [s.stopped for s in children if s.stopped]
        return ConditionState(children=children, stopped="; ".join(reasons) if reasons else None)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.conditions))


class AndCondition(_Combinator):
    """Stops once every one of its conditions has stopped."""

    def check(self, entries: Sequence[TranscriptEntry], state: ConditionState) -> ConditionState:
        """Check the children that have not fired yet; stop when all have."""
        children = tuple(
            s if s.stopped else c.check(entries, s) for c, s in zip(self.conditions, self._children(state), strict=True)
        )
        done = all(s.stopped for s in children)
        return ConditionState(children=children, stopped="; ".join(s.stopped or "" for s in children) if done else None)

    def __repr__(self) -> str:
        return " & ".join(f"({c!r})" for c in self.conditions)
