"""SQL filter semantics, table-driven: expressions × message views → match or not; syntax errors with positions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_emulators.servicebus.errors import ServiceBusEmulatorError
from local_emulators.servicebus.filters import (
    FilterError,
    FilterSyntaxError,
    MessageView,
    SqlFilter,
    compile_sql_filter,
)

MESSAGE = MessageView(
    system={
        "MessageId": "123456",
        "CorrelationId": None,
        "Subject": "Bus ride",
        "To": "store-7",
        "ContentType": "application/json",
        "SequenceNumber": 42,
        "EnqueuedTimeUtc": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "TimeToLive": timedelta(minutes=5),
    },
    application={
        "userProp1": "value1",
        "Color": "Red",
        "quantity": 10,
        "price": 2.5,
        "urgent": True,
        "nothing": None,
        "path": "50%_off\\sale",
        "Property With Space": "yes",
        "HR-EmployeeID": 7,
        "it's": "quoted",
        "run": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "negative": -7,
        "sys": "a user property named sys",
    },
)

CASES: list[tuple[str, bool]] = [
    # the sample from Microsoft's emulator config
    ("sys.MessageId = '123456' AND userProp1 = 'value1'", True),
    ("sys.MessageId = '123456' AND userProp1 = 'value2'", False),
    # system properties; Label and Subject are one property
    ("sys.Label = 'Bus ride'", True),
    ("sys.Subject = 'Bus ride'", True),
    ("sys.Label LIKE '%bus%'", False),
    ("sys.Label LIKE '%Bus%'", True),
    ("sys.To IN ('store-5', 'store-6', 'store-7')", True),
    ("sys.To NOT IN ('store-5', 'store-6')", True),
    ("sys.SequenceNumber > 41 AND sys.SequenceNumber <= 42", True),
    ("sys.CorrelationId IS NULL", True),
    ("sys.ReplyTo IS NULL", True),
    ("sys.MessageId IS NOT NULL", True),
    ("EXISTS(sys.MessageId)", True),
    ("EXISTS(sys.CorrelationId)", False),
    ("sys.CorrelationId = 'x'", False),
    ("NOT sys.CorrelationId = 'x'", False),
    ("sys.EnqueuedTimeUtc = sys.EnqueuedTimeUtc", True),
    ("sys.TimeToLive IS NOT NULL", True),
    # case-insensitive keywords, scopes and property names; values stay case-sensitive
    ("SYS.MESSAGEID = '123456'", True),
    ("sys.messageid = '123456' and USER.USERPROP1 = 'value1'", True),
    ("color = 'Red'", True),
    ("color = 'red'", False),
    ("[COLOR] = 'Red'", True),
    ("Color like 'r%'", False),
    # user scope is the default; quoted and bracketed names
    ("user.quantity = 10", True),
    ("[Property With Space] = 'yes'", True),
    ("[HR-EmployeeID] = 7", True),
    ("\"Property With Space\" = 'yes'", True),
    ("[it's] = 'quoted'", True),
    ("[sys] = 'a user property named sys'", True),
    # numbers: int and float mix, arithmetic with C# semantics
    ("quantity = 10.0", True),
    ("quantity > 9.5 AND price < 3", True),
    ("quantity * price = 25", True),
    ("quantity + 1 = 11", True),
    ("quantity - 15 = -5", True),
    ("quantity / 3 = 3", True),
    ("quantity % 3 = 1", True),
    ("negative / 2 = -3", True),
    ("negative % 4 = -3", True),
    ("price / 2 = 1.25", True),
    ("-quantity = -10", True),
    ("+quantity = 10", True),
    ("quantity / 0 = 1", False),
    ("NOT quantity / 0 = 1", False),
    ("price / 0 > 1000000", True),
    ("quantity = 1.0E1", True),
    ("101.5E5 = 10150000", True),
    ("0.5E-2 < 0.01", True),
    ("2 + 3 * 4 = 14", True),
    ("(2 + 3) * 4 = 20", True),
    ("10 - 2 - 3 = 5", True),
    # strings: ordinal comparison, concatenation, doubled quotes
    ("'abc' < 'abd'", True),
    ("'B' < 'a'", True),
    ("userProp1 + '!' = 'value1!'", True),
    ("'it''s' = 'it''s'", True),
    ("[it's] <> 'it''s'", True),
    # booleans
    ("urgent = TRUE", True),
    ("urgent = true AND NOT urgent = FALSE", True),
    ("urgent <> FALSE", True),
    ("urgent > FALSE", False),
    ("urgent = 1", False),
    ("TRUE", True),
    ("FALSE", False),
    ("1=1", True),
    ("1=0", False),
    ("1 <> 0", True),
    ("1 != 1", False),
    # type mismatches are UNKNOWN, neither equal nor different
    ("quantity = '10'", False),
    ("quantity <> '10'", False),
    ("quantity IN ('10', 10)", True),
    ("quantity IN ('10')", False),
    # GUIDs compare as strings
    ("run = '12345678-1234-5678-1234-567812345678'", True),
    # missing properties and NULL: three-valued logic
    ("missing = 1", False),
    ("missing <> 1", False),
    ("NOT missing = 1", False),
    ("missing IS NULL", True),
    ("missing IS NOT NULL", False),
    ("nothing IS NULL", True),
    ("EXISTS(nothing)", True),
    ("EXISTS(missing)", False),
    ("NOT EXISTS(missing)", True),
    ("missing = NULL", False),
    ("NULL = NULL", False),
    ("NULL IS NULL", True),
    ("missing + 1 = 1", False),
    ("missing IN (1, 2)", False),
    ("missing NOT IN (1, 2)", False),
    ("missing LIKE '%'", False),
    ("missing NOT LIKE 'x'", False),
    ("quantity IN (1, NULL, 10)", True),
    ("quantity NOT IN (1, NULL)", True),
    # AND/OR truth tables with UNKNOWN
    ("missing = 1 OR quantity = 10", True),
    ("quantity = 10 OR missing = 1", True),
    ("missing = 1 OR quantity = 11", False),
    ("NOT (missing = 1 OR quantity = 11)", False),
    ("missing = 1 AND quantity = 11", False),
    ("NOT (missing = 1 AND quantity = 11)", True),
    ("NOT (missing = 1 AND quantity = 10)", False),
    ("NOT NOT quantity = 10", True),
    ("quantity = 10 AND price = 2.5 OR missing = 1", True),
    ("missing = 1 OR quantity = 10 AND price = 3", False),
    ("(missing = 1 OR quantity = 10) AND price = 2.5", True),
    ("NOT quantity = 11 AND price = 2.5", True),
    # LIKE: wildcards, escapes, anchoring, NOT LIKE
    ("userProp1 LIKE 'value_'", True),
    ("userProp1 LIKE 'value'", False),
    ("userProp1 LIKE 'val%'", True),
    ("userProp1 LIKE '%1'", True),
    ("userProp1 LIKE '_alue1'", True),
    ("userProp1 LIKE '__'", False),
    ("userProp1 NOT LIKE 'v%'", False),
    ("path LIKE '50!%!_off%' ESCAPE '!'", True),
    ("path LIKE '50!%!_off\\sale' ESCAPE '!'", True),
    ("path LIKE '50\\%%' ESCAPE '\\'", True),
    ("path LIKE '5!0%' ESCAPE '!'", True),
    ("path LIKE '50!_%' ESCAPE '!'", False),
    ("'a.c' LIKE 'a.c'", True),
    ("'abc' LIKE 'a.c'", False),
    ("'a*c' LIKE 'a*c'", True),
    ("'line1\nline2' LIKE 'line1%'", True),
    ("quantity LIKE '1%'", False),
    ("userProp1 LIKE 'value' + '1'", True),
    # functions
    ("property('quantity') = 10", True),
    ("p('color') = 'Red'", True),
    ("p('user.quantity') = 10", True),
    ("p('sys.To') = 'store-7'", True),
    ("p('sys.Nope') IS NULL", True),
    ("p('qua' + 'ntity') = 10", True),
    ("newid() IS NOT NULL", True),
    ("newid() = newid()", False),
    # IN with expressions
    ("quantity IN (5 + 5, 3)", True),
    ("sys.SequenceNumber IN (quantity, 42)", True),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_filter_matches(expression: str, expected: bool) -> None:
    assert compile_sql_filter(expression).matches(MESSAGE) is expected


def test_empty_message_never_errors() -> None:
    empty = MessageView()
    for expression, _ in CASES:
        compile_sql_filter(expression).matches(empty)
    assert compile_sql_filter("sys.To IS NULL AND NOT EXISTS(a)").matches(empty)


def test_exact_property_name_wins_over_case_folded_one() -> None:
    view = MessageView(application={"Key": 1, "key": 2})
    assert compile_sql_filter("key = 2").matches(view)
    assert compile_sql_filter("Key = 1").matches(view)


def test_parameters_replace_placeholders() -> None:
    sql = compile_sql_filter("color = @color AND quantity > @min", {"@color": "Red", "min": 5})
    assert sql.matches(MESSAGE)
    assert not compile_sql_filter("color = @color", {"color": "Blue"}).matches(MESSAGE)


def test_filters_compare_by_text_and_keep_it() -> None:
    first = compile_sql_filter("a = 1")
    assert first == compile_sql_filter("a = 1")
    assert first != compile_sql_filter("a = 2")
    assert hash(first) == hash(compile_sql_filter("a = 1"))
    assert first.expression == "a = 1"
    assert isinstance(first, SqlFilter)


SYNTAX_ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "empty"),
    ("   ", 3, "empty"),
    ("a =", 3, "expected a value"),
    ("a = 1 b", 6, "unexpected"),
    ("a = 1 AND", 9, "expected a value"),
    ("(a = 1", 6, "expected ')'"),
    ("a = 1)", 5, "unexpected"),
    ("a AND b = 1", 0, "expected a condition"),
    ("a = 1 OR 5", 9, "expected a condition"),
    ("NOT a", 4, "expected a condition"),
    ("a", 0, "expected a condition"),
    ("a + 1", 2, "expected a condition"),
    ("(a = 1) = TRUE", 3, "expected a value"),
    ("a = 'unterminated", 4, "unterminated string"),
    ("[unterminated = 1", 0, "unterminated bracketed name"),
    ("a = 1 # 2", 6, "unexpected character"),
    ("sys.Nope = 1", 4, "unknown system property sys.Nope"),
    ("other.a = 1", 0, "unknown scope"),
    ("[sys].a = 1", 0, "unknown scope"),
    ("sys. = 1", 5, "expected a property name"),
    ("a IN 1", 5, "'(' after IN"),
    ("a IN (1 2)", 8, "',' or ')'"),
    ("a IN ()", 6, "expected a value"),
    ("a IS 1", 5, "expected NULL"),
    ("a LIKE 5", 7, "pattern must be a string"),
    ("a LIKE 'x' ESCAPE 'ab'", 18, "exactly one character"),
    ("a LIKE 'x!' ESCAPE '!'", 7, "ends with its escape character"),
    ("EXISTS a", 7, "'(' after EXISTS"),
    ("EXISTS(1)", 7, "expected a property name"),
    ("nope(1) = 1", 0, "unknown function nope"),
    ("newid(1) = 1", 6, "newid takes no argument"),
    ("a = @p", 4, "no value given for parameter @p"),
    ("a = 99999999999999999999", 4, "Int64"),
    ("a = 1e", 4, "malformed exponent"),
    ("a = 12abc", 4, "must not run into a name"),
    ("a = @", 4, "parameter name"),
    ("AND = 1", 0, "unexpected keyword AND"),
    ("a NOT = 1", 2, "unexpected"),
]


@pytest.mark.parametrize(("expression", "position", "reason"), SYNTAX_ERRORS)
def test_syntax_errors_name_the_position(expression: str, position: int, reason: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        compile_sql_filter(expression)
    assert caught.value.position == position, caught.value
    assert reason in caught.value.reason
    assert str(caught.value).endswith(f"at position {position}")
    assert caught.value.expression == expression


def test_syntax_error_belongs_to_the_emulator_error_tree() -> None:
    assert issubclass(FilterSyntaxError, FilterError)
    assert issubclass(FilterError, ServiceBusEmulatorError)


def test_parameter_of_unsupported_type_is_refused() -> None:
    value: Any = object()
    with pytest.raises(FilterSyntaxError, match="string, number or boolean"):
        compile_sql_filter("a = @p", {"p": value})
