"""Messages that carry references to stored items instead of the items themselves.

A Service Bus message is capped (256 KB on Standard) while an answer or a tool output is not, so a framework
message never carries transcript text: it names what to read instead. Two small protocols let any host deal with
that without knowing the message types:

- `Referencing`: an incoming message names what it refers to (`references()`: a range of transcript indexes and/or
  item ids); the host reads those, with the rest of the hop's state in one query, and hands them to `resolve`,
  which returns the message as its handler sees it (texts filled in).
- `Detachable`: an outgoing message gives up its large part (`detach(item_id)`): the host stores that part as an
  item in the sender's commit batch and sends the message with only the item's id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from switchboard.errors import PermanentError
from switchboard.messages.base import Message


class MissingReferenceError(PermanentError):
    """A message refers to a stored item or transcript entry that is not there (expired, or never committed).

    Permanent: the sender commits what it refers to before it sends, so a retry would not find it either; the run
    fails with this reason stored.
    """


@dataclass(frozen=True)
class References:
    """What an incoming message refers to.

    Attributes:
        entries: Transcript indexes `(start, end)`: the entries `start <= index < end`; None for none.
        items: Ids of stored items (in the run's partition).
    """

    entries: tuple[int, int] | None = None
    items: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether there is nothing to read."""
        return (self.entries is None or self.entries[0] >= self.entries[1]) and not self.items


NO_REFERENCES = References()
"""The references of a message that carries everything itself."""


@runtime_checkable
class Referencing(Protocol):
    """A message whose handler needs stored items the message only names."""

    def references(self) -> References:
        """What to read for this message (possibly nothing, e.g. an old-shape message carrying its texts)."""
        ...

    def resolve(self, entries: Sequence[Mapping[str, Any]], items: Mapping[str, Mapping[str, Any]]) -> Message:
        """The message with what it refers to filled in.

        Args:
            entries: The committed transcript entries of `references().entries`, in index order.
            items: The bodies of `references().items` that were found, by id.

        Raises:
            MissingReferenceError: Something referred to was not found.
        """
        ...


@runtime_checkable
class Detachable(Protocol):
    """An outgoing message that can leave its large part behind as a stored item."""

    def detach(self, item_id: str) -> tuple[Message, Mapping[str, Any]] | None:
        """The wire form referring to `item_id`, and the body to store under that id; None when nothing to detach."""
        ...


def references_of(message: Message) -> References:
    """What `message` refers to (nothing for a message that is not `Referencing`)."""
    # A plain attribute lookup: `isinstance` against a runtime-checkable protocol costs ~0.2 ms, on every hop.
    references = getattr(message, "references", None)
    return references() if callable(references) else NO_REFERENCES


def as_referencing(message: Message) -> Referencing | None:
    """`message` as a `Referencing` one, or None (cheaply, as `references_of`)."""
    return message if callable(getattr(message, "resolve", None)) else None  # type: ignore[return-value]


def as_detachable(message: Message) -> Detachable | None:
    """`message` as a `Detachable` one, or None (cheaply, as `references_of`)."""
    return message if callable(getattr(message, "detach", None)) else None  # type: ignore[return-value]
