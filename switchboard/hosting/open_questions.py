"""A run's open questions: a map on the run document keyed by request id, so parallel branches can each ask.

The run document holds `pending_inputs: {request_id: question}`. Two hops of one run may commit at the same time
(a GraphFlow fan-out's branches are different agents), so each hop changes only its own key — `set
/pending_inputs/<id>` when it asks, `remove /pending_inputs/<id>` when its answer is acted on — and never rewrites
the map. The status follows the map without a race:

- a hop that asks sets `status: awaiting_input` in the same atomic patch as its key, so the run is never `running`
  with a question open;
- a hop that acts on an answer leaves `status` alone; after its commit the host patches `status: running` under the
  condition "`awaiting_input` and no question open" (`RESUME_CONDITION`), which Cosmos evaluates atomically with the
  write. A question committed meanwhile makes the condition fail, so the run stays `awaiting_input`; a question
  committed afterwards sets `awaiting_input` again. A crash between the commit and that patch is repaired by the
  redelivery, which re-sends the stored outbox and patches again.

Documents written before the map (a single `pending_input`) are still read: their question counts as open, and
answering it clears that field.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping, Sequence
from typing import Any

from switchboard.hosting.run_status import RunStatus
from switchboard.messages import Envelope
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut

PENDING_INPUTS = "pending_inputs"
"""The run document's map of open questions: request id → question (see `input_flow.pending_input`)."""

LEGACY_PENDING_INPUT = "pending_input"
"""The single open question of documents written before `pending_inputs` (read, cleared, never written)."""

RESUME_CONDITION = (
    f"from c where c.status = '{RunStatus.AWAITING_INPUT}'"
    f" AND (NOT IS_DEFINED(c.{PENDING_INPUTS}) OR IS_NULL(c.{PENDING_INPUTS})"
    f" OR ARRAY_LENGTH(ObjectToArray(c.{PENDING_INPUTS})) = 0)"
    f" AND (NOT IS_DEFINED(c.{LEGACY_PENDING_INPUT}) OR IS_NULL(c.{LEGACY_PENDING_INPUT}))"
)
"""The Cosmos patch condition under which a run goes back to `running`: it waits, and no question is open."""

_ANSWERS = frozenset({InputProvided.message_type, InputTimedOut.message_type})


class PatchOp(enum.Enum):
    """A run-patch value that is an operation rather than a value to set."""

    REMOVE = "remove"
    """Remove the field (its name may be a path such as `pending_inputs/<id>`)."""


def question_key(request_id: str) -> str:
    """The run-patch name of one open question (a path into the map; request ids are UUIDs, safe in a path)."""
    return f"{PENDING_INPUTS}/{request_id}"


def open_questions(run: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The open questions of a run document, request id → question, oldest first (a legacy one included)."""
    if run is None:
        return {}
    found: dict[str, dict[str, Any]] = {}
    stored = run.get(PENDING_INPUTS)
    if isinstance(stored, Mapping):
        found = {str(request_id): dict(question) for request_id, question in stored.items() if _is_question(question)}
    legacy = run.get(LEGACY_PENDING_INPUT)
    if isinstance(legacy, Mapping) and _is_question(legacy):
        found.setdefault(str(legacy["request_id"]), dict(legacy))
    return dict(sorted(found.items(), key=lambda item: str(item[1].get("requested_at") or "")))


def oldest_question(run: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The question open longest, or None (what `pending_input` shows clients written for one question)."""
    return next(iter(open_questions(run).values()), None)


def questions_view(run: Mapping[str, Any]) -> dict[str, Any]:
    """The view fields of `GET /api/runs/{id}`: `pending_inputs` (every open question) and `pending_input`.

    `pending_input` is the oldest open question (None when none is), for clients written for one question.
    """
    return {PENDING_INPUTS: open_questions(run), LEGACY_PENDING_INPUT: oldest_question(run)}


def answered_request(incoming: Envelope, outgoing: Sequence[Envelope]) -> str | None:
    """The request id whose answer (or timeout) this hop acted on; None when it answered nothing.

    A stale answer (its question already answered) leaves the agent's outbox empty, so it closes nothing.
    """
    if incoming.type in _ANSWERS and outgoing:
        return str(incoming.payload.get("request_id"))
    return None


def asks(outgoing: Sequence[Envelope]) -> bool:
    """Whether this hop's outbox asks a person anything."""
    return any(envelope.type == InputRequested.message_type for envelope in outgoing)


def question_patch(
    incoming: Envelope,
    outgoing: Sequence[Envelope],
    run: Mapping[str, Any] | None,
    asked: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    """The run-patch entries that open this hop's questions and close the one it answered.

    Args:
        incoming: The handled envelope.
        outgoing: Its outbox.
        run: The run document as the hop read it (None: created by this hop, with an empty map).
        asked: The questions this hop asks, request id → question.

    Returns:
        Run-patch name → value (`PatchOp.REMOVE` to remove); `status: awaiting_input` when it asks.
    """
    patch: dict[str, Any] = {}
    has_map = run is None or isinstance(run.get(PENDING_INPUTS), Mapping)
    request_id = answered_request(incoming, outgoing)
    if request_id is not None and run is not None:
        if request_id in (run.get(PENDING_INPUTS) or {}):
            patch[question_key(request_id)] = PatchOp.REMOVE
        legacy = run.get(LEGACY_PENDING_INPUT)
        if isinstance(legacy, Mapping) and legacy.get("request_id") == request_id:
            patch[LEGACY_PENDING_INPUT] = None
    if asked:
        if has_map:
            patch.update({question_key(rid): question for rid, question in asked.items()})
        else:
            # A document from before the map: there is no parent to set a key in, so the map is written whole.
            patch[PENDING_INPUTS] = dict(asked)
        patch["status"] = RunStatus.AWAITING_INPUT
    return patch


def patch_operations(patch: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A run patch as Cosmos patch operations (`set`, or `remove` for `PatchOp.REMOVE`)."""
    operations: list[dict[str, Any]] = []
    for name, value in patch.items():
        if value is PatchOp.REMOVE:
            operations.append({"op": "remove", "path": f"/{name}"})
        else:
            operations.append({"op": "set", "path": f"/{name}", "value": value})
    return operations


def apply_patch(document: dict[str, Any], patch: Mapping[str, Any]) -> None:
    """Apply a run patch to a document in memory, as Cosmos applies `patch_operations` (for the in-memory store)."""
    for name, value in patch.items():
        *parents, last = name.split("/")
        node = document
        for parent in parents:
            node = node.setdefault(parent, {})
        if value is PatchOp.REMOVE:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)


def may_resume(run: Mapping[str, Any] | None) -> bool:
    """`RESUME_CONDITION` evaluated on a document in memory."""
    return run is not None and run.get("status") == RunStatus.AWAITING_INPUT and not open_questions(run)


def _is_question(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("request_id") is not None
