"""Continuation tokens in Azure's formats, restart-safe because they carry their own position.

- A partition's (backend) token looks like the service's: `+RID:~<rid>#RT:<round trips>#TRC:<rows so
  far>#ISV:2#IEO:65567#QCF:8`, followed by the emulator's own field `#EMU:<engine state>`: the query
  engine's resume state (query identity, position and the snapshot LSN), which needs nothing kept in
  memory, so the token survives a restart. A token in the service's format without `EMU` (one handed out
  by Azure, which the SDK's own tests pass literally) is accepted and names no position here: the query
  starts from the beginning, as such a token has no effect on Azure's backend for another container.
- The gateway's token for a query it fans out across partitions is JSON, `{"token": <partition token or
  null>, "range": {"min": ..., "max": ...}}`: resume inside that EPK range, then go on with every range
  after its `max`. A list of such objects (the form the gateway sends from the second page on) is read
  too; its first entry is the position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.errors import BadRequestError

_FIXED_FIELDS = "#ISV:2#IEO:65567#QCF:8"


def _malformed(token: str) -> BadRequestError:
    return BadRequestError(f"The continuation token '{token[:60]}' is malformed.")


@dataclass(frozen=True)
class PartitionToken:
    """Where a query stopped inside one partition (or logical partition, or EPK range).

    Attributes:
        rid: The rid of the last document returned (the container's when rows are not documents).
        round_trips: Pages served so far.
        offset: Rows served so far (the service's `TRC`).
        inner: The query engine's own resume state, carried verbatim in the `EMU` field ("" for a token
            from Azure, which names no position in this emulator).
    """

    rid: str
    round_trips: int
    offset: int
    inner: str

    def encode(self) -> str:
        """The token's wire text."""
        return f"+RID:~{self.rid}#RT:{self.round_trips}#TRC:{self.offset}{_FIXED_FIELDS}#EMU:{self.inner}"

    @classmethod
    def decode(cls, token: str) -> PartitionToken:
        """Parse a token's wire text, or 400 when it is not one of ours."""
        if not token.startswith(("+RID:~", "-RID:~")):
            raise _malformed(token)
        rid, *parts = token[6:].split("#")
        fields: dict[str, str] = {}
        for part in parts:
            name, separator, value = part.partition(":")
            if not separator:
                raise _malformed(token)
            fields[name] = value
        try:
            return cls(rid, int(fields.get("RT", "0")), int(fields.get("TRC", "0")), fields.get("EMU", ""))
        except ValueError as exc:
            raise _malformed(token) from exc


@dataclass(frozen=True)
class CompositeToken:
    """Where a gateway fan-out stopped: a partition token (None: not started) inside an EPK range."""

    token: str | None
    min: str
    max: str

    def encode(self) -> str:
        """The token's wire text (compact JSON)."""
        payload = {"token": self.token, "range": {"min": self.min, "max": self.max}}
        return json.dumps(payload, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> CompositeToken:
        """Parse the gateway's JSON token (an object or a list of them), or 400."""
        try:
            payload: Any = json.loads(text)
        except ValueError as exc:
            raise _malformed(text) from exc
        if isinstance(payload, list) and payload:
            payload = payload[0]
        if not isinstance(payload, dict) or not isinstance(payload.get("range"), dict):
            raise _malformed(text)
        token, bounds = payload.get("token"), payload["range"]
        low, high = bounds.get("min"), bounds.get("max")
        if not isinstance(low, str) or not isinstance(high, str) or not (token is None or isinstance(token, str)):
            raise _malformed(text)
        return cls(token=token, min=low, max=high)
