"""`AgentHarness`: run agents in-process in a test and assert on what they emitted and the state they kept."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar, cast

from switchboard.agent import Agent, AgentState, ManualClock
from switchboard.messages import Envelope, Message
from switchboard.messages.references import Referencing, references_of
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.runtime import InMemoryStateStore, InProcessRuntime

M = TypeVar("M", bound=Message)
S = TypeVar("S", bound=AgentState)

DEFAULT_RUN = "test-run"


class AgentHarness:
    """A deterministic in-process runtime with a manual clock and an inspectable in-memory store, plus assertions.

    Example:
        >>> harness = AgentHarness([Planner("planner")])
        >>> harness.publish(TaskSubmitted(task="t"))
        >>> await harness.run()
        >>> plan = harness.single(PlanReady)
        >>> state = await harness.state("planner", PlannerState)
    """

    def __init__(
        self,
        agents: Iterable[Agent[Any]],
        *,
        run_id: str = DEFAULT_RUN,
        extra_messages: Iterable[type[Message]] = (),
    ) -> None:
        self.clock = ManualClock()
        self.run_id = run_id
        self.store = InMemoryStateStore()
        self.runtime = InProcessRuntime(
            agents, store=self.store, clock=self.clock, extra_messages=extra_messages, keep_history=True
        )

    def publish(self, message: Message, *, run_id: str | None = None) -> Envelope:
        """Publish a message from the client."""
        return self.runtime.publish(message, run_id=run_id or self.run_id)

    def send(self, message: Message, *, to: str, run_id: str | None = None) -> Envelope:
        """Send a message from the client to one agent."""
        return self.runtime.send(message, to=to, run_id=run_id or self.run_id)

    async def run(self, *, max_messages: int | None = 10_000) -> int:
        """Deliver until idle; a bound stops runaway loops in a test. Returns how many were delivered."""
        delivered = await self.runtime.run_until_idle(max_messages=max_messages)
        if self.runtime.pending:
            raise AssertionError(f"agents were still busy after {delivered} messages (a loop?)")
        return delivered

    def advance(self, delta: timedelta) -> None:
        """Move the harness clock forward."""
        self.clock.advance(delta)

    def envelopes(self, message_type: type[Message] | None = None) -> list[Envelope]:
        """Every envelope agents emitted (not the client's), optionally of one type."""
        emitted = [e for result in self.runtime.results for e in result.outgoing]
        if message_type is None:
            return emitted
        return [e for e in emitted if e.type == message_type.message_type]

    def emitted(self, message_type: type[M]) -> list[M]:
        """Every message of `message_type` agents emitted, decoded (what they name read from the store), in order."""
        return [self._resolved(message_type.model_validate(e.payload), e.run_id) for e in self.envelopes(message_type)]

    def _resolved(self, message: M, run_id: str) -> M:
        return as_received(message, run_id, self.store)

    def single(self, message_type: type[M]) -> M:
        """The one message of `message_type` agents emitted; fails if there are none or several."""
        found = self.emitted(message_type)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {message_type.message_type}, got {len(found)}")
        return found[0]

    def assert_emitted(self, message_type: type[M], **fields: Any) -> M:
        """Assert some emitted `message_type` message has these field values; returns the first that does."""
        found = self.emitted(message_type)
        for message in found:
            if all(getattr(message, k) == v for k, v in fields.items()):
                return message
        raise AssertionError(f"no {message_type.message_type} with {fields!r} among {found!r}")

    def assert_not_emitted(self, message_type: type[Message]) -> None:
        """Assert no agent emitted a message of `message_type`."""
        found = self.envelopes(message_type)
        if found:
            raise AssertionError(f"expected no {message_type.message_type}, got {len(found)}")

    async def transcript(self, *, run_id: str | None = None) -> list[TranscriptEntry]:
        """The run's committed transcript entries, in order."""
        entries = await self.store.read(run_id or self.run_id, 0)
        return [TranscriptEntry.model_validate(entry) for entry in entries]

    def redeliver(self, envelope: Envelope) -> None:
        """Queue `envelope` again, as a broker redelivers a message (for at-least-once tests)."""
        self.runtime.deliver(envelope)

    async def state(self, agent: str, state_type: type[S], *, run_id: str | None = None) -> S:
        """The state `agent` keeps in the run, as `state_type`; fails when it has none."""
        state = await self.runtime.state_of(agent, run_id or self.run_id)
        if state is None:
            raise AssertionError(f"agent {agent!r} has no state in run {run_id or self.run_id!r}")
        if not isinstance(state, state_type):
            raise AssertionError(f"state of {agent!r} is {type(state).__name__}, not {state_type.__name__}")
        return state


def as_received(message: M, run_id: str, store: InMemoryStateStore) -> M:
    """`message` as its receiver sees it: the entries and answers it only names read from `store`.

    Example:
        >>> answer = as_received(runtime.router.registry.decode(envelope), envelope.run_id, runtime.store)
    """
    wanted = references_of(message)
    if wanted.empty:
        return message
    entries = store.entries_of(run_id, *wanted.entries) if wanted.entries is not None else []
    resolved = cast("Referencing", message).resolve(entries, store.attachments_of(run_id, wanted.items))
    assert isinstance(resolved, type(message))
    return resolved


def received(runtime: InProcessRuntime, envelope: Envelope) -> Message:
    """Decode an envelope of an in-process runtime with an in-memory store, as its receiver sees it."""
    assert isinstance(runtime.store, InMemoryStateStore), "received() reads an in-memory store"
    return as_received(runtime.router.registry.decode(envelope), envelope.run_id, runtime.store)
