"""`StepLedger`: checkpointed steps of one handler call, and the idempotency keys of its side effects.

A handler's model and tool calls are its expensive, non-deterministic parts. Each goes through `checkpoint`, which
numbers it (`<agent>:<message_id>:<n>`), replays a value the journal already holds, or makes the call and writes the
result through at once. Because every earlier step replays the same value, a redelivered message walks the same
path, so the numbering — and with it each idempotency key — is the same on every delivery.

Two instances can handle one message at once (a lock lost during a long model call, a copy that read the journal a
moment before a step was written). Both may call; the journal keeps the first record of a step, and `record`
returns what it keeps, so the later instance continues with the stored answer instead of its own: both walk the
same path with the same tool calls and the same text (`adopted` counts such steps).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from switchboard.agent.effect_keys import EffectKeys

T = TypeVar("T")


class StepRecorder(Protocol):
    """The part of the `StepJournal` port a ledger needs (declared here so the agent layer stays below runtime)."""

    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """Return the value recorded under `key`, or None."""
        ...

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Store `value` under `key` at once unless the key has a value; return the value the key now holds."""
        ...


class NullJournal:
    """A journal that remembers nothing: every step is called (for a context outside any host)."""

    async def recall(self, run_id: str, key: str) -> Mapping[str, Any] | None:
        """Nothing is ever recorded."""
        return None

    async def record(self, run_id: str, key: str, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Drop the value (and hand it back: nobody else can have recorded it)."""
        return value


class StepLedger:
    """Numbers the steps of one handler call and journals their results.

    Attributes:
        replayed: How many steps this call took from the journal instead of calling.
        adopted: How many steps this call made but then took from the journal, because another instance handling
            the same message recorded them first.
    """

    def __init__(self, journal: StepRecorder, *, run_id: str, agent: str, message_id: str) -> None:
        self._journal = journal
        self._run_id = run_id
        self._prefix = f"{agent}:{message_id}"
        self._next = 0
        self._current: int | None = None
        self._last: int | None = None
        self._effects = EffectKeys(f"{run_id}:{self._prefix}")
        self.replayed = 0
        self.adopted = 0

    def key(self, index: int) -> str:
        """The journal key of step `index` of this call."""
        return f"{self._prefix}:{index}"

    async def checkpoint(
        self,
        kind: str,
        call: Callable[[], Awaitable[T]],
        *,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        """Return the journaled result of the next step, or call it, journal the result, and return it.

        Args:
            kind: What the step is (`chat`, `tool`, ...), stored with it.
            call: Makes the call; not called when the journal has the step.
            encode: Turns the result into JSON values.
            decode: Turns stored JSON values back into the result.
        """
        index = self._next
        self._next += 1
        key = self.key(index)
        self._last = index
        stored = await self._journal.recall(self._run_id, key)
        if stored is not None:
            self.replayed += 1
            return decode(stored["result"])
        self._current = index
        try:
            value = await call()
        finally:
            self._current = None
        encoded = encode(value)
        kept = await self._journal.record(self._run_id, key, {"kind": kind, "result": encoded})
        if kept.get("result") != encoded:
            # Another instance recorded this step first: go on with its answer, so both continue identically
            # (same tool call ids, same text) and whichever commits, the other's re-flush matches it.
            self.adopted += 1
            return decode(kept["result"])
        return value

    def idempotency_key(self, suffix: str = "") -> str:
        """A key naming the step in progress (or the next one outside a step), stable across redeliveries.

        Args:
            suffix: Tells apart several effects inside one step (for example a tool call's id).
        """
        index = self._current if self._current is not None else self._next
        key = f"{self._run_id}:{self.key(index)}"
        return f"{key}:{suffix}" if suffix else key

    def effect_key(self, tool: str, arguments: str) -> str:
        """The idempotency key of a side-effecting tool call in the step in progress (`effect_keys.py`'s format).

        `<run>:<agent>:<message_id>:<n>:<tool>:<digest of tool and canonical arguments>`, where `n` is this step,
        or the step of an earlier attempt of the same call in this handler call that did not succeed.
        """
        position = self._current if self._current is not None else self._next
        return self._effects.key(tool, arguments, position=position)

    def effect_settled(self, tool: str, arguments: str, *, succeeded: bool) -> None:
        """Note the outcome of the tool call of the step just finished (called or replayed)."""
        if self._last is None:
            raise RuntimeError("effect_settled() needs a finished step")
        self._effects.settled(tool, arguments, position=self._last, succeeded=succeeded)
