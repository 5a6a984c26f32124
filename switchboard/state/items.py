"""The item layout of a run in its Cosmos partition (docs/hosting.md): ids and item bodies, as pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from switchboard.hosting.run_document import new_run_document
from switchboard.messages import Envelope

PARTITION_KEY_PATH = "/run_id"
RUN_FIELDS = (
    "run_id",
    "status",
    "team",
    "task",
    "stop_reason",
    "error",
    "created_at",
    "updated_at",
    "usage",
    "pending_input",
    "pending_inputs",
    "trace_id",
)


# The layout's own fields of an entry item; `commit` tags an entry written ahead of its commit's final batch and
# `chunked` names the chunks of a big one (switchboard/state/commit_plan.py, chunking.py).
_ENTRY_LAYOUT_FIELDS = frozenset({"id", "run_id", "type", "index", "commit", "chunked", "ttl"})


def run_id_item(run_id: str) -> str:
    """The run document's id: the run id itself."""
    return run_id


def state_id(agent: str) -> str:
    """The id of an agent's state item."""
    return f"state:{agent}"


def inbox_id(agent: str, message_id: str) -> str:
    """The id of the inbox mark of a message handled by `agent`."""
    return f"inbox:{agent}:{message_id}"


def outbox_id(agent: str, message_id: str) -> str:
    """The id of the outbox committed with that inbox mark."""
    return f"outbox:{agent}:{message_id}"


def step_id(key: str) -> str:
    """The id of a step item; `key` is `<agent>:<message_id>:<n>`."""
    return f"step:{key}"


def step_prefix(agent: str, message_id: str) -> str:
    """The id prefix of every step of one handler call."""
    return f"step:{agent}:{message_id}:"


def entry_id(index: int) -> str:
    """The id of a transcript entry; zero-padded so ids sort like indexes."""
    return f"entry:{index:06d}"


def run_item(run_id: str, *, task: str, team: str | None, now: str) -> dict[str, Any]:
    """A new run document, `queued`."""
    return new_run_document(run_id, task=task, team=team, now=now)


def state_item(run_id: str, agent: str, schema_version: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """An agent's state item."""
    return {
        "id": state_id(agent),
        "run_id": run_id,
        "type": "state",
        "agent": agent,
        "schema_version": schema_version,
        "data": dict(data),
    }


def inbox_item(run_id: str, agent: str, message_id: str) -> dict[str, Any]:
    """The inbox mark of a handled message (its existence is the whole point)."""
    return {"id": inbox_id(agent, message_id), "run_id": run_id, "type": "inbox"}


def outbox_item(run_id: str, agent: str, message_id: str, envelopes: Sequence[Envelope]) -> dict[str, Any]:
    """The outbox of a handled message: the envelopes to (re-)send, as JSON."""
    return {
        "id": outbox_id(agent, message_id),
        "run_id": run_id,
        "type": "outbox",
        "envelopes": [envelope.model_dump(mode="json") for envelope in envelopes],
    }


def step_item(run_id: str, key: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """A finished model or tool call: `kind` and `result` of `value`."""
    return {
        "id": step_id(key),
        "run_id": run_id,
        "type": "step",
        "kind": value.get("kind"),
        "result": value.get("result"),
    }


def step_value(item: Mapping[str, Any]) -> dict[str, Any]:
    """The journal value a step item holds."""
    return {"kind": item.get("kind"), "result": item.get("result")}


def attachment_item(run_id: str, item_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """An attachment: the large part an outgoing message refers to by `item_id` (e.g. an answer entry)."""
    return {"id": item_id, "run_id": run_id, "type": "attachment", "body": dict(body)}


def attachment_body(item: Mapping[str, Any]) -> dict[str, Any]:
    """The body an attachment item holds."""
    return dict(item.get("body") or {})


def entry_item(run_id: str, index: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    """A transcript entry item: the entry's fields plus its index."""
    return {**dict(entry), "id": entry_id(index), "run_id": run_id, "type": "entry", "index": index}


def entry_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The `TranscriptEntry` fields of an entry item (without the layout's own and Cosmos's system fields)."""
    return {k: v for k, v in item.items() if k not in _ENTRY_LAYOUT_FIELDS and not k.startswith("_")}


def public_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item without Cosmos's system fields (`_rid`, `_etag`, ...)."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def envelopes_of(outbox: Mapping[str, Any]) -> tuple[Envelope, ...]:
    """The envelopes an outbox item holds."""
    return tuple(Envelope.model_validate(raw) for raw in outbox.get("envelopes", ()))
