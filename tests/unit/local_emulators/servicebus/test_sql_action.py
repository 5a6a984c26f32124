"""SQL rule actions: SET/REMOVE statements applied in order, and their syntax errors."""

from __future__ import annotations

from typing import Any

import pytest

from local_emulators.servicebus.filters import FilterSyntaxError, MessageView, SqlAction, compile_sql_action

MESSAGE = MessageView(
    system={"MessageId": "m-1", "Label": "old", "Subject": "old", "To": "a"},
    application={"Color": "red", "n": 2, "tmp": True},
)

# (action, expected system changes, expected application afterwards)
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("SET sys.To = 'Entity'", {"To": "Entity"}, {"Color": "red", "n": 2, "tmp": True}),
    ("SET sys.Label = 'new'", {"Label": "new", "Subject": "new"}, {"Color": "red", "n": 2, "tmp": True}),
    ("set SYS.subject = 'new'", {"Label": "new", "Subject": "new"}, {"Color": "red", "n": 2, "tmp": True}),
    ("SET sys.CorrelationId = sys.MessageId", {"CorrelationId": "m-1"}, {"Color": "red", "n": 2, "tmp": True}),
    ("SET n = n * 10", {}, {"Color": "red", "n": 20, "tmp": True}),
    ("SET color = 'blue'", {}, {"Color": "blue", "n": 2, "tmp": True}),
    ("SET user.added = 1", {}, {"Color": "red", "n": 2, "tmp": True, "added": 1}),
    ("SET [new name] = Color + '!'", {}, {"Color": "red", "n": 2, "tmp": True, "new name": "red!"}),
    ("SET x = missing + 1", {}, {"Color": "red", "n": 2, "tmp": True, "x": None}),
    ("REMOVE tmp", {}, {"Color": "red", "n": 2}),
    ("REMOVE TMP", {}, {"Color": "red", "n": 2}),
    ("REMOVE missing", {}, {"Color": "red", "n": 2, "tmp": True}),
    ("SET n = n + 1; SET n = n * 3", {}, {"Color": "red", "n": 9, "tmp": True}),
    ("SET n = 1 SET m = n", {}, {"Color": "red", "n": 1, "tmp": True, "m": 1}),
    ("SET a = 1, REMOVE a", {}, {"Color": "red", "n": 2, "tmp": True}),
    ("REMOVE tmp; SET tmp = EXISTS_NOT_A_KEYWORD;", {}, {"Color": "red", "n": 2, "tmp": None}),
]


@pytest.mark.parametrize(("text", "system_changes", "application"), CASES)
def test_action_applies(text: str, system_changes: dict[str, Any], application: dict[str, Any]) -> None:
    result = compile_sql_action(text).apply(MESSAGE)
    assert dict(result.system) == {**MESSAGE.system, **system_changes}
    assert dict(result.application) == application


def test_apply_leaves_the_input_untouched() -> None:
    compile_sql_action("SET sys.To = 'x'; REMOVE tmp; SET n = 3").apply(MESSAGE)
    assert MESSAGE.system["To"] == "a"
    assert dict(MESSAGE.application) == {"Color": "red", "n": 2, "tmp": True}


def test_parameters_and_equality() -> None:
    action = compile_sql_action("SET sys.To = @target", {"target": "queue-b"})
    assert action.apply(MESSAGE).system["To"] == "queue-b"
    assert action == compile_sql_action("SET sys.To = @target", {"target": "queue-b"})
    assert hash(action) == hash(compile_sql_action("SET sys.To = @target", {"target": "other"}))
    assert isinstance(action, SqlAction)
    assert action.expression == "SET sys.To = @target"


ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "empty rule action"),
    (";", 0, "expected SET or REMOVE"),
    ("DROP a", 0, "expected SET or REMOVE"),
    ("[SET] a = 1", 0, "expected SET or REMOVE"),
    ("SET a 1", 6, "'=' after the property"),
    ("SET a = ", 8, "expected a value"),
    ("SET a = b = c", 10, "expected SET or REMOVE"),
    ("SET a = b > 1", 10, "expected SET or REMOVE"),
    ("SET sys.SequenceNumber = 1", 4, "sys.SequenceNumber cannot be set"),
    ("SET sys.Nope = 1", 8, "unknown system property"),
    ("REMOVE sys.To", 7, "sys.To cannot be removed"),
    ("REMOVE", 6, "expected a property name"),
    ("SET a = @p", 8, "no value given for parameter @p"),
]


@pytest.mark.parametrize(("text", "position", "reason"), ERRORS)
def test_action_syntax_errors(text: str, position: int, reason: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        compile_sql_action(text)
    assert caught.value.position == position, caught.value
    assert reason in caught.value.reason
