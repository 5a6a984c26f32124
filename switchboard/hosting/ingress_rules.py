"""What the door accepts: run ids, idempotency keys, request and task sizes, JSON nesting — and how errors quote.

Every way into a deployment (`POST /api/runs`, `switchboard submit`, a `tasks` message, a message on an agent's
queue) checks its input against these rules before anything is stored or sent, so bad input gets a clear 4xx (or a
dead-letter reason) and leaves nothing behind. An error message quotes at most a short prefix of what was sent
(`preview`), never the whole of it.

Run ids: 1-64 characters of ``[A-Za-z0-9._:-]``, starting with a letter or digit. That set is what both stores
allow without escaping: a Cosmos item id may not hold a slash, a backslash, ``?`` or ``#``, and a Service Bus
SessionId and MessageId hold at most 128 characters; the run events' message ids (``<run id>/<message id>/<status>``,
with a 36-character message id) must fit in those 128, hence 64. Run ids the system makes itself are UUIDs (36).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from switchboard.errors import BadMessageError

MAX_RUN_ID_LENGTH = 64
"""The longest run id (see the module docstring for why)."""
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""A valid run id, whole (use `fullmatch`)."""

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest `POST /api/runs` body read at all (the Functions host itself would take 100 MB)."""
MAX_TASK_BYTES = 128 * 1024
"""The largest task, as UTF-8 JSON text: one Service Bus Standard message (256 KB with its headers) carries it
inside its envelope, with room for the envelope's other fields."""
MAX_JSON_DEPTH = 16
"""The deepest nesting of arrays and objects a request body may have (a task request is one object deep)."""

MAX_KEY_LENGTH = 255
"""The longest `Idempotency-Key` (Stripe's limit)."""
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
# Run ids derived from idempotency keys are UUID version 5 in this namespace: generated run ids are version 4, so
# the two can never collide, and the same key gives the same run through the HTTP API and the CLI alike.
_KEY_NAMESPACE = uuid.UUID("5d1f3c9e-8a47-4b2e-9c61-7e0a4f3b2d18")

_PREVIEW_CHARS = 40


class InvalidRunIdError(BadMessageError):
    """A run id the stores cannot hold as it is (too long, or characters outside ``[A-Za-z0-9._:-]``)."""


class InvalidRequestError(BadMessageError):
    """A request body or header that can never start a run (not JSON, nested too deeply, a bad key)."""


class RequestTooLargeError(InvalidRequestError):
    """A request body or task larger than the door takes (HTTP 413); the reason names the limit."""


def preview(value: object, limit: int = _PREVIEW_CHARS) -> str:
    """Quote `value` for an error message: its repr, cut to `limit` characters with the full length noted.

    >>> preview("x" * 10_000, limit=5)
    "'xxxxx'… (10000 characters)"
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({type(value).__name__})"


def check_run_id(run_id: str) -> str:
    """Return `run_id` when it is valid.

    Raises:
        InvalidRunIdError: The reason quotes at most a prefix of it and states the rule.
    """
    if RUN_ID_PATTERN.fullmatch(run_id):
        return run_id
    if not run_id:
        raise InvalidRunIdError("a run id is required (the MessageId of a task, the SessionId of an agent message)")
    raise InvalidRunIdError(
        f"invalid run id {preview(run_id)}: a run id is 1-{MAX_RUN_ID_LENGTH} characters of A-Z a-z 0-9 . _ : - "
        "starting with a letter or digit"
    )


def run_id_for_key(key: str) -> str:
    """The run id an `Idempotency-Key` stands for (deterministic; never equal to a generated run id).

    Raises:
        InvalidRequestError: The key is empty, longer than 255 characters, or not printable ASCII without spaces.
    """
    if not _KEY_PATTERN.fullmatch(key):
        raise InvalidRequestError(
            f"invalid Idempotency-Key {preview(key)}: use 1-{MAX_KEY_LENGTH} printable ASCII characters without "
            "spaces (a UUID is a good key)"
        )
    return str(uuid.uuid5(_KEY_NAMESPACE, key))


def read_json_body(raw: bytes) -> Any:
    """Decode a request body, refusing what is too large or nested too deeply before it costs anything.

    Raises:
        RequestTooLargeError: More than `MAX_REQUEST_BYTES`.
        InvalidRequestError: Not JSON (the reason gives the position, not the text), or nested deeper than
            `MAX_JSON_DEPTH`.
    """
    if len(raw) > MAX_REQUEST_BYTES:
        raise RequestTooLargeError(f"the request body is {len(raw)} bytes; the limit is {MAX_REQUEST_BYTES} bytes")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidRequestError(_too_deep()) from None
    except UnicodeDecodeError as error:
        raise InvalidRequestError(f"the body is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise InvalidRequestError(
            f'the body must be JSON: {{"task": "...", "team": "..."}} (line {error.lineno} column {error.colno})'
        ) from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise InvalidRequestError(_too_deep())
    return data


def json_depth(data: object) -> int:
    """How deeply arrays and objects nest in decoded JSON (a scalar is 0, `{}` is 1); iterative, so never deep."""
    deepest = 0
    pending: list[tuple[object, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def task_size(task: str) -> int:
    """The bytes `task` takes inside a message: its JSON string as UTF-8."""
    return len(json.dumps(task, ensure_ascii=False).encode())


def _too_deep() -> str:
    return f"the body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels"
