"""A message that will not be processed ends its run `failed` (docs/hosting.md, "Stranded runs and retention").

Two kinds of message are never processed: bad input (dead-lettered at once: a malformed envelope, a message type or
version a deploy removed, a message for another agent) and a message whose transient failures outlast the queue's
`maxDeliveryCount`. Service Bus would dead-letter the second by itself after the last abandon, out of the
processor's sight, so on the last delivery the processor dead-letters it instead and says why. Either way the
message stays in the dead-letter queue with its reason (nothing is lost, `switchboard dlq replay` can re-drive it)
and the run it belonged to is set `failed` with that reason and a `failed` run event, so no caller waits forever.

Which run: the envelope's run id when the body decoded, else the message's session id (the run id on agent
queues), else, on the `tasks` queue, the run id the message would have started; each must pass
`switchboard.hosting.ingress_rules`. A message naming no valid run, or a run without a document, fails nothing.
If the run cannot be failed now (Cosmos unreachable), the message is still dead-lettered: the run then has no
progress and the sweeper (`switchboard.hosting.sweeper`) ends it later.
"""

from __future__ import annotations

import dataclasses
import logging

from switchboard.hosting.ingress_rules import RUN_ID_PATTERN
from switchboard.hosting.ports import RunDocuments, RunEvents
from switchboard.hosting.run_status import RunStatus
from switchboard.hosting.settlement import IncomingMessage, Outcome, Settlement, SettlementKind

logger = logging.getLogger("switchboard.hosting")

GAVE_UP_REASON = "MaxDeliveryCountExceeded"
"""The dead-letter reason of a message whose transient failures outlasted `maxDeliveryCount` (Service Bus's own)."""


def last_delivery(settlement: Settlement, incoming: IncomingMessage, max_delivery_count: int | None) -> Settlement:
    """Turn the abandon of a message's last delivery into a dead-letter that says why it gave up.

    Args:
        settlement: The processor's verdict.
        incoming: The message (its 1-based `delivery_count`).
        max_delivery_count: The queue's `maxDeliveryCount`; None leaves every abandon to Service Bus.

    Returns:
        `settlement` itself, unless it abandons delivery `max_delivery_count` (or later).
    """
    if settlement.kind is not SettlementKind.ABANDON or max_delivery_count is None:
        return settlement
    if incoming.delivery_count < max_delivery_count:
        return settlement
    last_error = f"{settlement.reason}: {settlement.description}" if settlement.description else settlement.reason
    return Settlement(
        SettlementKind.DEAD_LETTER,
        GAVE_UP_REASON,
        f"delivery {incoming.delivery_count} of {max_delivery_count} failed; last error {last_error}",
        outcome=Outcome.RETRY,
    )


def run_of(incoming: IncomingMessage, *candidates: str | None) -> str | None:
    """The first valid run id among `candidates` (envelope first), then the session id; None when none is valid."""
    for candidate in (*candidates, incoming.session_id):
        if candidate is not None and RUN_ID_PATTERN.fullmatch(candidate):
            return candidate
    return None


async def fail_run_of_dead_letter(
    settlement: Settlement,
    incoming: IncomingMessage,
    run_id: str | None,
    *,
    runs: RunDocuments,
    events: RunEvents,
) -> Settlement:
    """End `run_id` `failed` when `settlement` dead-letters its message; the settlement itself is kept.

    Args:
        settlement: The verdict on the message.
        incoming: The message.
        run_id: The run the message belongs to (`run_of`), or None.
        runs: The run documents.
        events: Where the `failed` event goes.

    Returns:
        `settlement`, with outcome `run-failed` when this call failed the run.
    """
    if settlement.kind is not SettlementKind.DEAD_LETTER or run_id is None:
        return settlement
    reason = f"{settlement.reason}: {settlement.description}" if settlement.description else str(settlement.reason)
    try:
        failed = await runs.fail_run(run_id, f"message {incoming.message_id[:64]} dead-lettered: {reason}")
        if failed:
            status = RunStatus.FAILED
            await events.publish_event(run_id, status, event_id=f"{run_id}/{incoming.message_id[:64]}/{status}")
    except Exception as error:  # the letter is kept either way; the sweeper ends a run this could not
        logger.warning("run %s not failed for a dead letter (%s); the sweeper will", run_id, type(error).__name__)
        return settlement
    return dataclasses.replace(settlement, outcome=Outcome.RUN_FAILED) if failed else settlement
