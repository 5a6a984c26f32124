"""AutoGen's message conditions: message count, text mention, stop/handoff/text messages, sources, function calls.

Each looks only at the transcript entries of the delta (a delta without entries, such as the manager's own model
calls, changes nothing). Stop reasons follow AutoGen's wording where a test or a user could rely on it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from switchboard.errors import AgentDefinitionError
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.termination.base import ConditionState, RunDelta, TerminationCondition

TerminationFunc = Callable[["Sequence[TranscriptEntry]"], "bool | Awaitable[bool]"]
"""A `FunctionalTermination` predicate over the new entries, plain or async."""


class _FirstMatch(TerminationCondition):
    """Fires on the first new entry that `_reason` names a reason for."""

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        for entry in delta.entries:
            reason = self._reason(entry)
            if reason is not None:
                return ConditionState(count=state.count + 1, stopped=reason)
        return state

    def _reason(self, entry: TranscriptEntry) -> str | None:
        raise NotImplementedError


class MaxMessageTermination(TerminationCondition):
    """Stops after `max_messages` transcript entries, counting the task (as AutoGen does).

    With `include_agent_event`, a turn's tool rounds count too: each round is two of AutoGen's agent events (the
    tool-call request and its execution).
    """

    def __init__(self, max_messages: int, include_agent_event: bool = False) -> None:
        """Stop once this many messages were seen."""
        if max_messages < 1:
            raise AgentDefinitionError("MaxMessageTermination needs max_messages >= 1")
        self.max_messages = max_messages
        self.include_agent_event = include_agent_event

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Count the new entries."""
        events = sum(2 * e.tool_rounds for e in delta.entries) if self.include_agent_event else 0
        count = state.count + len(delta.entries) + events
        stopped = (
            f"maximum number of messages {self.max_messages} reached, current message count: {count}"
            if count >= self.max_messages
            else None
        )
        return ConditionState(count=count, stopped=stopped)

    def __repr__(self) -> str:
        return f"MaxMessageTermination({self.max_messages})"


class TextMentionTermination(_FirstMatch):
    """Stops when an entry's content contains `text` (case-sensitive), optionally only from `sources`."""

    def __init__(self, text: str, sources: Sequence[str] | None = None) -> None:
        """Watch for `text` in messages from `sources` (any agent's when None)."""
        if not text:
            raise AgentDefinitionError("TextMentionTermination needs a non-empty text")
        self.text = text
        self.sources = tuple(sources) if sources is not None else None

    def _reason(self, entry: TranscriptEntry) -> str | None:
        if self.sources is not None and entry.source not in self.sources:
            return None
        return f"text {self.text!r} mentioned by {entry.source}" if self.text in entry.content else None

    def __repr__(self) -> str:
        return f"TextMentionTermination({self.text!r})"


class StopMessageTermination(_FirstMatch):
    """Stops when a participant answers with a stop message (an entry of kind `stop`)."""

    def _reason(self, entry: TranscriptEntry) -> str | None:
        return "Stop message received" if entry.kind == "stop" else None

    def __repr__(self) -> str:
        return "StopMessageTermination()"


class HandoffTermination(_FirstMatch):
    """Stops when a participant hands off to `target` (for example `"user"`, to ask a human)."""

    def __init__(self, target: str) -> None:
        """Watch for handoffs to `target`."""
        self.target = target

    def _reason(self, entry: TranscriptEntry) -> str | None:
        if entry.kind == "handoff" and entry.target == self.target:
            return f"Handoff to {self.target} from {entry.source} detected."
        return None

    def __repr__(self) -> str:
        return f"HandoffTermination({self.target!r})"


class SourceMatchTermination(_FirstMatch):
    """Stops as soon as one of `sources` has spoken (the task's source is `user`)."""

    def __init__(self, sources: Sequence[str]) -> None:
        """Watch for entries from `sources`."""
        self.sources = tuple(sources)

    def _reason(self, entry: TranscriptEntry) -> str | None:
        return f"'{entry.source}' answered" if entry.source in self.sources else None

    def __repr__(self) -> str:
        return f"SourceMatchTermination({list(self.sources)!r})"


class TextMessageTermination(_FirstMatch):
    """Stops on the first plain text message, optionally only from `source`.

    As in AutoGen, the task is a text message from `user`; tool-call summaries, handoffs, structured and stop
    messages are not.
    """

    def __init__(self, source: str | None = None) -> None:
        """Watch for text messages from `source` (anyone's when None)."""
        self.source = source

    def _reason(self, entry: TranscriptEntry) -> str | None:
        if entry.kind in ("text", "task") and (self.source is None or entry.source == self.source):
            return f"Text message received from '{entry.source}'"
        return None

    def __repr__(self) -> str:
        return f"TextMessageTermination({self.source!r})"


class FunctionCallTermination(_FirstMatch):
    """Stops once a participant has executed the tool `function_name`."""

    def __init__(self, function_name: str) -> None:
        """Watch for executions of `function_name`."""
        self.function_name = function_name

    def _reason(self, entry: TranscriptEntry) -> str | None:
        if self.function_name in entry.tool_calls:
            return f"Function '{self.function_name}' was executed."
        return None

    def __repr__(self) -> str:
        return f"FunctionCallTermination({self.function_name!r})"


class FunctionalTermination(TerminationCondition):
    """Stops when `func(new_entries)` returns True; `func` may be plain or async.

    It must be a pure function of the entries: a restored run asks it again only about entries it has not seen.
    """

    def __init__(self, func: TerminationFunc) -> None:
        """Decide with `func`."""
        self.func = func

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Ask the function about the new entries (not about a delta without entries)."""
        if not delta.entries:
            return state
        verdict = self.func(delta.entries)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return ConditionState(stopped="Functional termination condition met") if verdict is True else state

    def __repr__(self) -> str:
        return f"FunctionalTermination({getattr(self.func, '__name__', self.func)!r})"


class ExternalTermination(TerminationCondition):
    """Stops at the next check after `set()` was called (from the code that runs the team, in this process).

    Once fired, the stop is part of the run's persisted state. A flag set in one process is not seen by another:
    a hosted run is stopped from outside through its cancel API instead.
    """

    def __init__(self) -> None:
        """Start unset."""
        self._set = False

    def set(self) -> None:
        """Ask the team to stop at its next check."""
        self._set = True

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Fire if `set()` was called."""
        return ConditionState(stopped="External termination requested") if self._set else state

    def __repr__(self) -> str:
        return "ExternalTermination()"
