"""How a hop resolves the references of the message it handles and detaches the large parts of what it sends.

Both ends run in the dispatcher, so every host (the in-process runtime, the Functions processor) keeps the same
rule: a framework message never carries transcript text (`switchboard.messages.references`). Reading goes through
the ports the dispatcher was given; the hosted processor gives it views that answer from the hop's one snapshot
query, so resolving costs no extra request there.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.agent import Emission
from switchboard.messages import Message
from switchboard.messages.references import MissingReferenceError, as_detachable, as_referencing, references_of
from switchboard.runtime.protocols import Attachment, AttachmentLog, TranscriptLog

ATTACHMENT_PREFIX = "attachment:"
"""Id prefix of the attachments a handler call commits."""


def attachment_id(agent: str, message_id: str, index: int) -> str:
    """The id of the attachment of the `index`-th emission of `agent`'s handler call for `message_id`."""
    return f"{ATTACHMENT_PREFIX}{agent}:{message_id}:{index}"


async def resolve(
    message: Message, run_id: str, *, transcript: TranscriptLog, attachments: AttachmentLog | None
) -> Message:
    """The message as its handler sees it: the entries and items it refers to read and filled in.

    Raises:
        MissingReferenceError: A referred item is not stored, or no attachment log was given to read it from.
    """
    wanted = references_of(message)
    referencing = as_referencing(message)
    if wanted.empty or referencing is None:
        return message
    entries = await transcript.read(run_id, *wanted.entries) if wanted.entries is not None else []
    items = {}
    if wanted.items:
        if attachments is None:
            raise MissingReferenceError(f"{message.message_type} refers to {wanted.items[0]} but no store holds it")
        items = await attachments.attachments(run_id, wanted.items)
    return referencing.resolve(entries, items)


def detach(
    emissions: Sequence[Emission], *, agent: str, message_id: str
) -> tuple[list[Emission], tuple[Attachment, ...]]:
    """The emissions as they go on the wire, and the attachments their large parts become."""
    sent: list[Emission] = []
    stored: list[Attachment] = []
    for index, emission in enumerate(emissions):
        detachable = as_detachable(emission.message)
        detached = detachable.detach(attachment_id(agent, message_id, index)) if detachable else None
        if detached is None:
            sent.append(emission)
            continue
        wire, body = detached
        sent.append(Emission(message=wire, to=emission.to))
        stored.append(Attachment(id=attachment_id(agent, message_id, index), body=body))
    return sent, tuple(stored)
