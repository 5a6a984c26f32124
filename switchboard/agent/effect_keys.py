"""Idempotency keys of side-effecting tool calls: the same call gets the same key, a different call never does.

A key names where the call happens and what it is: `<run>:<agent>:<message_id>:<n>:<tool>:<digest>`, where `n` is
the step position of the call's first attempt in the handler call and `digest` is a hash of the tool name and its
canonical arguments (JSON with sorted keys, no whitespace). So

- a redelivered message, or a second instance racing the first on the same message, reaches the same step with the
  same (adopted) call and computes the same key;
- a call that failed or timed out and is asked again with the same arguments in the same handler call reuses the key
  of its first attempt (a timed-out attempt may have done its effect: the tool's ledger must absorb the retry);
- once a call succeeded, the same call asked again is a new effect with a new key (its own step position);
- two calls with different tools or arguments never share a key, whatever the model named them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_CHARS = 32
"""Hex characters of the SHA-256 digest kept in a key (128 bits: collisions are out of reach)."""


def canonical_arguments(arguments: str) -> str:
    """The model's JSON arguments in canonical form: sorted keys, no whitespace; unparsable text is kept as it is.

    Example:
        >>> canonical_arguments('{"b": 1, "a": {"d": 2, "c": 3}}')
        '{"a":{"c":3,"d":2},"b":1}'
    """
    try:
        parsed: Any = json.loads(arguments or "{}")
    except ValueError:
        return arguments
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def call_digest(tool: str, arguments: str) -> str:
    """A hash of the tool name and its canonical arguments, hex, `DIGEST_CHARS` long."""
    canonical = json.dumps([tool, canonical_arguments(arguments)], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_CHARS]


class EffectKeys:
    """The keys of one handler call's side-effecting tool calls (see the module docstring for the rules).

    It only depends on the order of calls and their outcomes, which replay identically from the step journal, so
    every delivery of a message hands out the same keys.
    """

    def __init__(self, scope: str) -> None:
        """Keys start with `scope`: `<run>:<agent>:<message_id>`."""
        self._scope = scope
        # digest -> step position of the first attempt of a call that has not succeeded yet.
        self._open: dict[str, int] = {}

    def key(self, tool: str, arguments: str, *, position: int) -> str:
        """The key of a call about to run at step `position`: its open first attempt's, else one of its own."""
        digest = call_digest(tool, arguments)
        first = self._open.get(digest, position)
        return f"{self._scope}:{first}:{tool}:{digest}"

    def settled(self, tool: str, arguments: str, *, position: int, succeeded: bool) -> None:
        """Note the outcome of the call made (or replayed) at step `position`.

        A failure keeps the call open, so a retry with the same arguments reuses its key; a success closes it.
        """
        digest = call_digest(tool, arguments)
        if succeeded:
            self._open.pop(digest, None)
        else:
            self._open.setdefault(digest, position)
