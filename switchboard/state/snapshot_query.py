"""The hop snapshot's one query: what a hop reads before its handler runs, and how the result is sorted out.

One query in the run's partition reads the run document, the agent's state, the handled message's outbox and
steps (found only on a redelivery), and what the message refers to instead of carrying it
(`switchboard.messages.references`): a range of transcript entries and attachment items. So a message that only
names its texts costs no request more than one that carried them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from switchboard.hosting.ports import HopSnapshot
from switchboard.messages import Envelope
from switchboard.messages.references import References
from switchboard.runtime.protocols import StoredState
from switchboard.state import items


def snapshot_query(
    run_id: str, agent: str, message_id: str, references: References
) -> tuple[str, list[dict[str, Any]]]:
    """The query text and its parameters for one hop of `agent` handling `message_id`."""
    ids = [items.run_id_item(run_id), items.state_id(agent), items.outbox_id(agent, message_id), *references.items]
    names = [f"@id{n}" for n in range(len(ids))]
    parameters: list[dict[str, Any]] = [{"name": name, "value": value} for name, value in zip(names, ids, strict=True)]
    parameters.append({"name": "@steps", "value": items.step_prefix(agent, message_id)})
    where = f"c.id IN ({', '.join(names)}) OR STARTSWITH(c.id, @steps)"
    if references.entries is not None:
        start, end = references.entries
        where += " OR (c.type = 'entry' AND c.index >= @start AND c.index < @end)"
        parameters += [{"name": "@start", "value": start}, {"name": "@end", "value": end}]
    return f"SELECT * FROM c WHERE {where}", parameters


def parse_snapshot(
    run_id: str,
    found: Sequence[Mapping[str, Any]],
    *,
    state_of: Callable[[str, Mapping[str, Any]], StoredState] | None = None,
) -> HopSnapshot:
    """Sort the query's items (chunked ones already whole) into the hop's snapshot; `state_of` reads the state."""
    run: dict[str, Any] | None = None
    state: StoredState | None = None
    outbox: tuple[Envelope, ...] | None = None
    steps: dict[str, Mapping[str, Any]] = {}
    entries: dict[int, Mapping[str, Any]] = {}
    attachments: dict[str, Mapping[str, Any]] = {}
    for doc in found:
        kind = doc.get("type")
        if kind == "run":
            run = items.public_fields(doc)
        elif kind == "state":
            state = (state_of or stored_state)(run_id, doc)
        elif kind == "outbox":
            outbox = items.envelopes_of(doc)
        elif kind == "step":
            steps[str(doc["id"]).removeprefix("step:")] = items.step_value(doc)
        elif kind == "entry":
            entries[int(doc["index"])] = items.entry_fields(doc)
        elif kind == "attachment":
            attachments[str(doc["id"])] = items.attachment_body(doc)
    return HopSnapshot(run=run, state=state, outbox=outbox, steps=steps, entries=entries, attachments=attachments)


def stored_state(run_id: str, item: Mapping[str, Any]) -> StoredState:
    """An agent's state item as the `StateStore` port returns it."""
    return StoredState(
        agent=str(item["agent"]),
        run_id=run_id,
        schema_version=int(item["schema_version"]),
        data=item.get("data") or {},
        etag=str(item["_etag"]),
    )
