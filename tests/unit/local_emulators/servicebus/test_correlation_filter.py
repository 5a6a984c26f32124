"""Correlation, true and false filters: each set condition must hold exactly."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local_emulators.servicebus.filters import CorrelationFilter, FalseFilter, MessageView, TrueFilter

MESSAGE = MessageView(
    system={
        "MessageId": "m-1",
        "CorrelationId": "run-42",
        "To": "agent-writer",
        "ReplyTo": "team-x",
        "Subject": "TurnRequested",
        "SessionId": "run-42",
        "ReplyToSessionId": "run-41",
        "ContentType": "application/json",
    },
    application={"type": "TurnRequested", "version": 2, "score": 0.5, "final": False, "empty": None},
)

CASES: list[tuple[dict[str, Any], bool]] = [
    ({"correlation_id": "run-42"}, True),
    ({"correlation_id": "RUN-42"}, False),
    ({"correlation_id": "run-4"}, False),
    ({"message_id": "m-1"}, True),
    ({"to": "agent-writer"}, True),
    ({"reply_to": "team-x"}, True),
    ({"label": "TurnRequested"}, True),
    ({"label": "turnrequested"}, False),
    ({"session_id": "run-42"}, True),
    ({"reply_to_session_id": "run-41"}, True),
    ({"reply_to_session_id": "run-42"}, False),
    ({"content_type": "application/json"}, True),
    ({"content_type": "text/plain"}, False),
    ({"correlation_id": "run-42", "to": "agent-writer", "content_type": "application/json"}, True),
    ({"correlation_id": "run-42", "to": "agent-reader"}, False),
    ({"properties": {"type": "TurnRequested"}}, True),
    ({"properties": {"Type": "TurnRequested"}}, False),
    ({"properties": {"type": "turnrequested"}}, False),
    ({"properties": {"version": 2}}, True),
    ({"properties": {"version": 2.0}}, True),
    ({"properties": {"version": "2"}}, False),
    ({"properties": {"score": 0.5}}, True),
    ({"properties": {"final": False}}, True),
    ({"properties": {"final": 0}}, False),
    ({"properties": {"missing": "x"}}, False),
    ({"properties": {"empty": None}}, True),
    ({"properties": {"type": "TurnRequested", "version": 3}}, False),
    ({"label": "TurnRequested", "properties": {"type": "TurnRequested", "version": 2}}, True),
    ({"label": "Other", "properties": {"type": "TurnRequested"}}, False),
]


@pytest.mark.parametrize(("conditions", "expected"), CASES)
def test_correlation_filter(conditions: dict[str, Any], expected: bool) -> None:
    assert CorrelationFilter(**conditions).matches(MESSAGE) is expected


def test_conditions_against_a_message_without_those_properties() -> None:
    bare = MessageView()
    assert not CorrelationFilter(correlation_id="run-42").matches(bare)
    assert not CorrelationFilter(properties={"type": "x"}).matches(bare)
    assert CorrelationFilter().matches(bare)


def test_label_is_found_under_either_system_name() -> None:
    assert CorrelationFilter(label="L").matches(MessageView(system={"Label": "L"}))
    assert CorrelationFilter(label="L").matches(MessageView(system={"subject": "L"}))
    assert CorrelationFilter(label="L").subject == "L"


def test_guid_message_id_compares_as_text() -> None:
    ident = uuid.uuid4()
    assert CorrelationFilter(message_id=str(ident)).matches(MessageView(system={"MessageId": ident}))


def test_properties_are_frozen_copies() -> None:
    wanted = {"type": "TurnRequested"}
    correlation = CorrelationFilter(properties=wanted)
    wanted["type"] = "Changed"
    assert correlation.matches(MESSAGE)
    with pytest.raises(TypeError):
        correlation.properties["type"] = "x"  # type: ignore[index]


def test_equality_hash_and_emptiness() -> None:
    first = CorrelationFilter(label="a", properties={"x": 1})
    assert first == CorrelationFilter(label="a", properties={"x": 1})
    assert hash(first) == hash(CorrelationFilter(label="a", properties={"x": 1}))
    assert first != CorrelationFilter(label="a", properties={"x": 2})
    assert CorrelationFilter().is_empty()
    assert not first.is_empty()


@pytest.mark.parametrize("view", [MESSAGE, MessageView()])
def test_true_and_false_filters(view: MessageView) -> None:
    assert TrueFilter().matches(view)
    assert not FalseFilter().matches(view)
