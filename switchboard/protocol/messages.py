"""The team protocol: the typed messages a team manager and its participants exchange.

    client ──TaskSubmitted──▶ manager ──TurnRequested──▶ participant ──TurnCompleted──▶ manager ...
    manager: termination met ──RunCompleted (published)──▶ whoever watches run events

Wire names are namespaced (`switchboard.team.*`) so they never clash with an application's own messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field, field_serializer, model_validator

from switchboard.messages import Message
from switchboard.messages.references import NO_REFERENCES, MissingReferenceError, References
from switchboard.models.chat import Usage
from switchboard.protocol.transcript import TranscriptEntry


class TaskSubmitted(Message):
    """Start a team run on `task`; sent to the team manager (its name is the team's name)."""

    message_type: ClassVar[str] = "switchboard.team.TaskSubmitted"
    task: str


class TurnRequested(Message):
    """The manager asks one participant to speak.

    On the wire it names the entries the participant has not seen (`start`, `end`: transcript indexes, committed
    with the request), never their text; the host reads them in the hop's snapshot and the handler sees them in
    `new_messages`. A request built with `new_messages` and no range (a test, or a v1 message) carries them inline.

    Attributes:
        team: The team (manager) name to answer to.
        turn: The turn number; the answer must carry it back (stale answers are ignored).
        start: The first unseen transcript index (absolute: a nested team's range included), or None.
        end: One past the last unseen index.
        speaker: The participant asked; its own entries in the range are left out (it has them already).
        new_messages: Transcript entries the participant has not seen yet, oldest first (filled by the host).
    """

    message_type: ClassVar[str] = "switchboard.team.TurnRequested"
    message_version: ClassVar[int] = 2
    team: str
    turn: int
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    speaker: str | None = None
    new_messages: tuple[TranscriptEntry, ...] = ()

    @model_validator(mode="after")
    def _range(self) -> TurnRequested:
        if (self.start is None) != (self.end is None) or (self.start or 0) > (self.end or 0):
            raise ValueError("start and end go together, with start <= end")
        return self

    @field_serializer("new_messages")
    def _no_text_with_range(self, entries: tuple[TranscriptEntry, ...]) -> list[dict[str, Any]]:
        # A request with a range never carries the entries it names, even once the host has filled them in.
        return [] if self.start is not None else [entry.model_dump(mode="json") for entry in entries]

    @classmethod
    def upcast(cls, from_version: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        """v1 carried `new_messages` inline, which v2 still reads: the payload is unchanged."""
        return payload if from_version == 1 else None

    def references(self) -> References:
        """The unseen range, when the request names one."""
        if self.start is None or self.end is None:
            return NO_REFERENCES
        return References(entries=(self.start, self.end))

    def resolve(self, entries: Sequence[Mapping[str, Any]], items: Mapping[str, Mapping[str, Any]]) -> TurnRequested:
        """The request with `new_messages` read from the range's committed entries (the speaker's own left out)."""
        if self.start is None or self.end is None:
            return self
        if len(entries) != self.end - self.start:
            raise MissingReferenceError(
                f"turn {self.turn} of {self.team!r} names entries {self.start}..{self.end - 1} "
                f"but {len(entries)} of {self.end - self.start} are stored"
            )
        unseen = tuple(
            entry
            for entry in (TranscriptEntry.model_validate(raw) for raw in entries)
            if self.speaker is None or entry.source != self.speaker
        )
        return self.model_copy(update={"new_messages": unseen})


class TurnCompleted(Message):
    """A participant's answer to a `TurnRequested`.

    On the wire it carries `ref`, the id of the item its sender committed the answer entry as (in the same batch
    as the message's outbox), never the entry; the host reads the item in the manager's snapshot and the handler
    sees it in `entry`. One built with `entry` alone (a handler's answer, or a v1 message) carries it inline until
    the sending host detaches it.

    Attributes:
        team: The team (manager) name the answer is for.
        turn: The turn answered.
        entry: The answer (None on the wire while `ref` names it).
        ref: The id of the stored answer item, or None while the entry is carried.
    """

    message_type: ClassVar[str] = "switchboard.team.TurnCompleted"
    message_version: ClassVar[int] = 2
    team: str
    turn: int
    entry: TranscriptEntry | None = None
    ref: str | None = Field(default=None, min_length=1, max_length=255)

    @model_validator(mode="after")
    def _entry_or_ref(self) -> TurnCompleted:
        if self.entry is None and self.ref is None:
            raise ValueError("an answer carries its entry or a ref to it")
        return self

    @field_serializer("entry")
    def _no_text_with_ref(self, entry: TranscriptEntry | None) -> dict[str, Any] | None:
        # An answer with a ref never carries the entry, even once the host has filled it in.
        return None if entry is None or self.ref is not None else entry.model_dump(mode="json")

    @classmethod
    def upcast(cls, from_version: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        """v1 carried `entry` inline, which v2 still reads: the payload is unchanged."""
        return payload if from_version == 1 else None

    @property
    def answer(self) -> TranscriptEntry:
        """The answer entry.

        Raises:
            MissingReferenceError: Only the ref is known (the host did not resolve it).
        """
        if self.entry is None:
            raise MissingReferenceError(f"the answer {self.ref} to turn {self.turn} of {self.team!r} was not read")
        return self.entry

    def references(self) -> References:
        """The answer item, while only its ref is known."""
        return References(items=(self.ref,)) if self.entry is None and self.ref is not None else NO_REFERENCES

    def resolve(self, entries: Sequence[Mapping[str, Any]], items: Mapping[str, Mapping[str, Any]]) -> TurnCompleted:
        """The answer with `entry` read from its stored item."""
        if self.entry is not None or self.ref is None:
            return self
        body = items.get(self.ref)
        if body is None:
            raise MissingReferenceError(f"the answer {self.ref} to turn {self.turn} of {self.team!r} is not stored")
        return self.model_copy(update={"entry": TranscriptEntry.model_validate(body)})

    def detach(self, item_id: str) -> tuple[TurnCompleted, Mapping[str, Any]] | None:
        """The answer referring to `item_id`, and the entry to store there."""
        if self.entry is None or self.ref is not None:
            return None
        return self.model_copy(update={"ref": item_id}), self.entry.model_dump(mode="json")


class RunCompleted(Message):
    """A team run ended: why it stopped, tokens per agent, and how many transcript entries it left.

    The transcript itself is not carried (a bus message has a size limit and a run does not): read it from the
    run's transcript log, entries `0 .. entry_count - 1`.
    """

    message_type: ClassVar[str] = "switchboard.team.RunCompleted"
    team: str
    stop_reason: str
    usage: dict[str, Usage]
    entry_count: int


TEAM_MESSAGES: tuple[type[Message], ...] = (TaskSubmitted, TurnRequested, TurnCompleted, RunCompleted)
"""Every team protocol message, for registries and hosts."""
