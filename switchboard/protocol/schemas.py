"""JSON Schemas of the wire: the envelope, every protocol message at its current version, and a transcript entry.

A client in another language (tests/js/run_schemas.test.mjs reads them with ajv) validates what it sends and reads
against these files, which `switchboard schema export` writes into `schemas/` and a test keeps from drifting. Each
message's file is named by its type and version (`<type>.v<version>.schema.json`), so a new version is a new file
next to the old one's, and `index.json` lists which file serves which (type, version).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from switchboard.messages import Envelope, Message
from switchboard.protocol.continuation import CONTINUATION_MESSAGES
from switchboard.protocol.input_messages import INPUT_MESSAGES
from switchboard.protocol.messages import TEAM_MESSAGES
from switchboard.protocol.transcript import TranscriptEntry

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://switchboard.dev/schemas/"
"""The `$id` prefix of every file (an identifier, not a download location)."""

REGISTERED_MESSAGES: tuple[type[Message], ...] = (*TEAM_MESSAGES, *CONTINUATION_MESSAGES, *INPUT_MESSAGES)
"""Every message type a Switchboard host registers: the team protocol (with the managers' own continuations) and
the human-in-the-loop messages."""


def message_file(cls: type[Message]) -> str:
    """The schema file name of `cls` at its current version."""
    return f"{cls.message_type}.v{cls.message_version}.schema.json"


def _schema(model: type[BaseModel], file: str, **extra: Any) -> dict[str, Any]:
    # Serialization mode: the JSON a client reads is what model_dump(mode="json") wrote.
    body = model.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, "$id": ID_BASE + file, **extra, **body}


def export_schemas(messages: Iterable[type[Message]] = REGISTERED_MESSAGES) -> dict[str, str]:
    """Every schema file's name and its text (stable: sorted keys, two-space indent, a final newline).

    Args:
        messages: The message classes to describe (every registered one by default).
    """
    files: dict[str, dict[str, Any]] = {
        "envelope.schema.json": _schema(Envelope, "envelope.schema.json"),
        "transcript-entry.schema.json": _schema(TranscriptEntry, "transcript-entry.schema.json"),
    }
    index = []
    for cls in sorted(messages, key=lambda c: c.message_type):
        name = message_file(cls)
        files[name] = _schema(
            cls,
            name,
            **{"x-message-type": cls.message_type, "x-message-version": cls.message_version},
        )
        index.append({"type": cls.message_type, "version": cls.message_version, "file": name})
    files["index.json"] = {
        "envelope": "envelope.schema.json",
        "transcript_entry": "transcript-entry.schema.json",
        "messages": index,
    }
    return {name: json.dumps(content, indent=2, sort_keys=True) + "\n" for name, content in sorted(files.items())}
