"""Items past Cosmos's size limit are chunked, losslessly, the same way for every item kind (pure: no I/O).

Cosmos refuses an item over 2 MB (413) and a request over 2 MB. An item of the run's layout (agent state, outbox,
transcript entry, step) whose JSON passes `SPILL_BYTES` is stored as a small *head* under its own id, holding the
fields queries select on (`id`, `run_id`, `type`, `index`, ...) and a `chunked` descriptor, plus *chunk* items that
hold the rest of its JSON text in slices. Readers put it back together (`reassemble`), so nothing is cut.

Chunk ids are a digest of the item id, the writing message and the content: a retried hop that writes the same
item again overwrites its own chunks instead of adding new ones, and two writers with different content never
overwrite each other's chunks (the head, written last, decides which set is referenced).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.state.errors import StoreRequestError

SPILL_BYTES = 512 * 1024
"""An item whose JSON is longer is chunked. Small enough that the state and outbox heads always share a batch."""

CHUNK_CHARS = 800_000
"""Characters of (ASCII) JSON text per chunk: even if every one needs escaping, a chunk stays far below 2 MB."""

KEPT_FIELDS = ("id", "run_id", "type", "index", "agent", "schema_version")
"""Fields a head keeps: the ones queries and point reads select or sort on, all small."""

CHUNK_TYPE = "chunk"


class ChunkMissingError(StoreRequestError):
    """A chunked item's head names a chunk the store does not hold (never written, or removed)."""


@dataclass(frozen=True)
class Spilled:
    """An item as it is written: the head (the whole item when small) and its chunks (none when small).

    Attributes:
        head: The item to write under the item's id.
        size: `encoded_size(head)`, measured once.
        chunks: The chunk items to write before the head, in order.
    """

    head: dict[str, Any]
    size: int
    chunks: tuple[dict[str, Any], ...] = ()


def encoded_size(value: Any) -> int:
    """The length in bytes of `value` as compact, ASCII-escaped JSON: an upper bound of what Cosmos counts."""
    return len(json.dumps(value, separators=(",", ":")))


def spill(
    item: Mapping[str, Any],
    *,
    version: str,
    limit: int = SPILL_BYTES,
    chunk_chars: int = CHUNK_CHARS,
) -> Spilled:
    """Split `item` into a head and chunks when its JSON passes `limit`; else return it whole.

    Args:
        item: A layout item (must have `id` and `run_id`).
        version: What makes this write distinct: the handled message's id (a retry of the same message with the
            same content reuses the chunk ids).
        limit: The size above which the item is chunked.
        chunk_chars: Characters of JSON text per chunk.
    """
    size = encoded_size(item)
    if size <= limit:
        return Spilled(dict(item), size)
    head = {name: item[name] for name in KEPT_FIELDS if name in item}
    body = {name: value for name, value in item.items() if name not in head}
    text = json.dumps(body, separators=(",", ":"))
    digest = _digest(str(item["id"]), version, text)
    pieces = [text[start : start + chunk_chars] for start in range(0, len(text), chunk_chars)]
    head["chunked"] = {"digest": digest, "count": len(pieces), "chars": len(text)}
    chunks = tuple(
        {"id": chunk_id(digest, n), "run_id": item["run_id"], "type": CHUNK_TYPE, "of": item["id"], "data": piece}
        for n, piece in enumerate(pieces)
    )
    return Spilled(head, encoded_size(head), chunks)


def chunk_id(digest: str, n: int) -> str:
    """The id of the `n`-th chunk of the item version `digest` names."""
    return f"chunk:{digest}:{n}"


def is_chunked(item: Mapping[str, Any]) -> bool:
    """Whether `item` is a head whose content lives in chunks."""
    return isinstance(item.get("chunked"), Mapping)


def chunk_ids(head: Mapping[str, Any]) -> list[str]:
    """The ids of the chunks a head refers to, in order (none for a whole item)."""
    if not is_chunked(head):
        return []
    descriptor = head["chunked"]
    return [chunk_id(str(descriptor["digest"]), n) for n in range(int(descriptor["count"]))]


def reassemble(head: Mapping[str, Any], chunks: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The whole item from its head and its chunks (by id), `chunked` kept; a whole item is returned as it is.

    Raises:
        ChunkMissingError: A chunk the head names is not in `chunks`, or the text does not add up.
    """
    if not is_chunked(head):
        return dict(head)
    pieces: list[str] = []
    for wanted in chunk_ids(head):
        chunk = chunks.get(wanted)
        if chunk is None:
            raise ChunkMissingError(f"item {head.get('id')!r} lacks its chunk {wanted!r}")
        pieces.append(str(chunk["data"]))
    text = "".join(pieces)
    if len(text) != int(head["chunked"]["chars"]):
        raise ChunkMissingError(f"item {head.get('id')!r}: its chunks hold {len(text)} characters, not the expected")
    # The head's fields win (and `chunked` stays, so a writer can tell which chunks a replaced version had).
    return {**json.loads(text), **head}


def needed_chunks(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every chunk id the chunked heads among `items` refer to."""
    return [wanted for item in items for wanted in chunk_ids(item)]


def _digest(item_id: str, version: str, text: str) -> str:
    hashed = hashlib.sha256()
    for part in (item_id, version, text):
        hashed.update(part.encode())
        hashed.update(b"\x00")
    return hashed.hexdigest()[:32]
