from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from switchboard.errors import (
    AgentDefinitionError,
    InvalidEnvelopeError,
    InvalidMessagePayloadError,
    UnknownMessageTypeError,
    UnsupportedMessageVersionError,
)
from switchboard.messages import Envelope, Message, MessageRegistry
from tests.unit.switchboard.sample_agents import Note, Ping


class TaskV3(Message):
    message_type = "task"
    message_version = 3
    title: str
    priority: int
    owner: str


def registry_with_upcasters() -> MessageRegistry:
    registry = MessageRegistry([TaskV3])

    @registry.upcaster("task", from_version=1)
    def rename(payload: dict[str, Any]) -> dict[str, Any]:
        return {"title": payload.pop("name"), **payload}

    @registry.upcaster("task", from_version=2)
    def add_owner(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "owner": "nobody"}

    return registry


def envelope(type_: str, version: int, payload: dict[str, Any]) -> Envelope:
    return Envelope(
        message_id="m-1",
        type=type_,
        version=version,
        run_id="run-1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        payload=payload,
    )


def test_type_name_defaults_to_class_name_and_version_to_one() -> None:
    class Plain(Message):
        x: int

    assert Plain.message_type == "Plain"
    assert Plain.message_version == 1
    assert Ping.message_type == "test.ping"


def test_invalid_version_declaration_is_refused() -> None:
    with pytest.raises(TypeError, match="message_version"):

        class Bad(Message):
            message_version = 0


def test_messages_are_immutable_and_strict() -> None:
    ping = Ping(n=1)
    with pytest.raises(ValidationError):
        ping.n = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Ping(n=1, extra=True)  # type: ignore[call-arg]


def test_envelope_round_trips_through_json() -> None:
    original = Envelope.wrap(
        Note(text="hi", tags=["a", "b"]),
        run_id="run-7",
        source="writer",
        target="reviewer",
        causation_id="c-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    decoded = Envelope.from_json(original.to_json())
    assert decoded == original
    assert decoded.correlation_id == "run-7"
    assert decoded.type == "test.note"
    assert MessageRegistry([Note]).decode(decoded) == Note(text="hi", tags=["a", "b"])


def test_envelope_and_its_payload_are_immutable() -> None:
    env = Envelope.wrap(Note(text="hi", tags=["a"]), run_id="r")
    with pytest.raises(ValidationError):
        env.run_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        env.payload["text"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        env.payload["tags"].append("b")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "invalid envelope"),
        (b'{"type": "x"}', "message_id: Field required"),
        (
            b'{"message_id":"m","type":"x","version":0,"run_id":"r","created_at":"2026-01-01T00:00:00Z","payload":{}}',
            "version: Input should be greater than or equal to 1",
        ),
        (
            b'{"message_id":"m","type":"x","version":1,"run_id":"r","created_at":"2026-01-01T00:00:00","payload":{}}',
            "created_at: Input should have timezone info",
        ),
        (
            b'{"message_id":"m","type":"x","version":1,"run_id":"r","created_at":"2026-01-01T00:00:00Z","payload":[]}',
            "payload",
        ),
    ],
)
def test_invalid_envelopes_raise_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidEnvelopeError) as info:
        Envelope.from_json(data)
    assert reason in info.value.reason


def test_unknown_type_is_named() -> None:
    with pytest.raises(UnknownMessageTypeError, match="'nope'"):
        MessageRegistry([Ping]).decode(envelope("nope", 1, {}))


def test_invalid_payload_names_each_bad_field() -> None:
    with pytest.raises(InvalidMessagePayloadError) as info:
        MessageRegistry([TaskV3]).decode(envelope("task", 3, {"title": "t", "priority": "high"}))
    assert "priority: Input should be a valid integer" in info.value.reason
    assert "owner: Field required" in info.value.reason


def test_newer_version_than_the_code_is_unsupported() -> None:
    with pytest.raises(UnsupportedMessageVersionError, match="v4 is newer than this deployment's v3"):
        registry_with_upcasters().decode(envelope("task", 4, {}))


def test_older_version_without_upcaster_is_unsupported() -> None:
    with pytest.raises(UnsupportedMessageVersionError, match="no upcaster from v1 to v2"):
        MessageRegistry([TaskV3]).decode(envelope("task", 1, {"name": "t", "priority": 1}))


def test_upcasters_chain_from_old_versions() -> None:
    registry = registry_with_upcasters()
    from_v1 = registry.decode(envelope("task", 1, {"name": "t", "priority": 2}))
    from_v2 = registry.decode(envelope("task", 2, {"title": "t", "priority": 2}))
    assert from_v1 == from_v2 == TaskV3(title="t", priority=2, owner="nobody")


def test_failing_upcaster_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidMessagePayloadError, match="upcasting task v1 to v2 failed"):
        registry_with_upcasters().decode(envelope("task", 1, {"priority": 2}))


def test_two_classes_cannot_share_a_type_name() -> None:
    class Other(Message):
        message_type = "test.ping"

    registry = MessageRegistry([Ping])
    registry.register(Ping)  # the same class again is harmless
    with pytest.raises(AgentDefinitionError, match="declared by both"):
        registry.register(Other)


def test_duplicate_upcaster_is_refused() -> None:
    registry = registry_with_upcasters()
    with pytest.raises(AgentDefinitionError, match="already registered"):
        registry.add_upcaster("task", from_version=1, upcaster=lambda p: p)


def test_bad_message_errors_are_dead_lettered_not_retried() -> None:
    with pytest.raises(UnknownMessageTypeError) as info:
        MessageRegistry().decode(envelope("x", 1, {}))
    assert info.value.retryable is False
    assert info.value.disposition.value == "dead_letter"
