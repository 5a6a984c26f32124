"""The researcher's tool: a keyword search over a small offline set of notes (no network, deterministic)."""

from __future__ import annotations

import re

from agents.messages import Note

NOTES: tuple[Note, ...] = (
    Note(
        title="Service Bus delivery",
        text="Azure Service Bus delivers each message at least once; a consumer that crashes before settling "
        "sees the message again after the lock expires.",
    ),
    Note(
        title="Service Bus sessions",
        text="Session-enabled queues deliver one session's messages in order to one receiver at a time; "
        "using the run id as SessionId serialises a run while different runs scale out.",
    ),
    Note(
        title="Duplicate detection",
        text="With duplicate detection on, Service Bus drops a message whose MessageId it saw within the "
        "detection window, so deterministic ids make resends harmless.",
    ),
    Note(
        title="Cosmos DB transactional batch",
        text="A transactional batch writes several items of one partition atomically: all succeed or none do. "
        "ETags make a write fail if the item changed since it was read.",
    ),
    Note(
        title="Inbox and outbox",
        text="Recording the handled message id (inbox), the new state and the messages to send (outbox) in one "
        "transaction makes a redelivered message find its mark and only re-send the outbox.",
    ),
    Note(
        title="Actors",
        text="An actor owns its state and changes it only in response to messages, one at a time, which removes "
        "locks from application code.",
    ),
    Note(
        title="Azure Functions",
        text="Service Bus-triggered Azure Functions scale out per message and bill per execution; a function "
        "that throws abandons its message so the broker retries it.",
    ),
    Note(
        title="Dead-lettering",
        text="Messages that can never succeed (bad payload, unknown type) belong on the dead-letter queue at "
        "once, with a reason, instead of being retried until the delivery count runs out.",
    ),
)

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def search_notes(query: str, max_results: int = 3) -> list[Note]:
    """Search the team's research notes on messaging, state and serverless hosting.

    Args:
        query: Keywords to look for, e.g. "duplicate delivery".
        max_results: How many notes to return at most (1 to 5).
    """
    wanted = _words(query)
    scored = sorted(
        ((len(wanted & _words(f"{n.title} {n.text}")), i, n) for i, n in enumerate(NOTES)),
        key=lambda item: (-item[0], item[1]),
    )
    return [note for score, _, note in scored[: max(1, min(max_results, 5))] if score > 0]
