"""Table of Cosmos SQL built-in functions with the results the documentation gives, one row per query.

Each group cites the page of https://learn.microsoft.com/azure/cosmos-db/nosql/query/ it follows. Every
query is `SELECT VALUE <expr>` over one document `c`; an empty expected list means the result is undefined.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from local_emulators.cosmos.query import compile_query
from tests.unit.local_emulators.cosmos.query_cases import tagged

DOC: dict[str, Any] = {
    "id": "d",
    "s": "Hello World",
    "n": -4.5,
    "i": 7,
    "arr": [1, "a", {"k": 1, "j": 2}, [2]],
    "obj": {"a": 1},
    "nil": None,
    "t": True,
    "when": "2020-07-09T23:20:13.4575530Z",
    "vec": [1.0, 0.0],
    "text": "The quick brown Fox jumps",
}

CASES: list[tuple[str, list[Any]]] = [
    # --- type-checking-functions; undefined only for a missing property --------------------------------
    ("IS_DEFINED(c.s)", [True]),
    ("IS_DEFINED(c.missing)", [False]),
    ("IS_DEFINED(c.nil)", [True]),
    ("IS_NULL(c.nil)", [True]),
    ("IS_NULL(c.missing)", [False]),
    ("IS_STRING(c.s)", [True]),
    ("IS_NUMBER(c.t)", [False]),
    ("IS_NUMBER(c.n)", [True]),
    ("IS_BOOL(c.t)", [True]),
    ("IS_BOOL(1)", [False]),
    ("IS_ARRAY(c.arr)", [True]),
    ("IS_OBJECT(c.obj)", [True]),
    ("IS_OBJECT(c.arr)", [False]),
    (
        "[IS_PRIMITIVE(c.nil), IS_PRIMITIVE(c.s), IS_PRIMITIVE(c.obj), IS_PRIMITIVE(c.missing)]",
        [[True, True, False, False]],
    ),
    ("[IS_FINITE_NUMBER(c.n), IS_FINITE_NUMBER('1')]", [[True, False]]),
    ("[IS_INTEGER(c.i), IS_INTEGER(c.n), IS_INTEGER(2.0)]", [[True, False, True]]),
    ("is_string(c.s)", [True]),
    # --- iif, choose ----------------------------------------------------------------------------------
    ("IIF(c.t, 'yes', 'no')", ["yes"]),
    ("IIF(c.missing, 'yes', 'no')", ["no"]),
    ("IIF(1, 'yes', 'no')", ["no"]),
    ("CHOOSE(2, 'a', 'b', 'c')", ["b"]),
    ("CHOOSE(4, 'a', 'b', 'c')", []),
    # --- string-functions --------------------------------------------------------------------------------
    ("CONCAT(c.s, '!', '?')", ["Hello World!?"]),
    ("CONCAT(c.s, 1)", []),
    ("CONTAINS(c.s, 'World')", [True]),
    ("CONTAINS(c.s, 'world')", [False]),
    ("CONTAINS(c.s, 'world', true)", [True]),
    ("STARTSWITH(c.s, 'hello', true)", [True]),
    ("STARTSWITH(c.s, 'Hello')", [True]),
    ("ENDSWITH(c.s, 'World')", [True]),
    ("ENDSWITH(c.s, 'WORLD', false)", [False]),
    ("STARTSWITH(c.i, '7')", []),
    ("StringEquals(c.s, 'hello world', true)", [True]),
    ("StringEquals(c.s, 'hello world')", [False]),
    ("LOWER(c.s)", ["hello world"]),
    ("UPPER(c.s)", ["HELLO WORLD"]),
    ("LENGTH(c.s)", [11]),
    ("LENGTH(c.arr)", []),
    ("SUBSTRING(c.s, 6, 5)", ["World"]),
    ("SUBSTRING(c.s, 0, 100)", ["Hello World"]),
    ("INDEX_OF(c.s, 'o')", [4]),
    ("INDEX_OF(c.s, 'o', 5)", [7]),
    ("INDEX_OF(c.s, 'z')", [-1]),
    ("[TRIM('  a b  '), LTRIM('  a '), RTRIM(' a  ')]", [["a b", "a ", " a"]]),
    ("[TRIM('-_-ab-_-', '-_'), LTRIM('xxab', 'x'), RTRIM('abyy', 'y'), TRIM('ab', '')]", [["ab", "ab", "ab", "ab"]]),
    ("REPLACE(c.s, 'World', 'There')", ["Hello There"]),
    ("REPLICATE('ab', 3)", ["ababab"]),
    ("REPLICATE('ab', -1)", []),
    ("REVERSE('abc')", ["cba"]),
    ("[LEFT(c.s, 5), RIGHT(c.s, 5), LEFT(c.s, 0), RIGHT('ab', 9)]", [["Hello", "World", "", "ab"]]),
    (
        "[ToString(1), ToString(2.5), ToString(true), ToString(null), ToString('x'), ToString([1, 'a'])]",
        [["1", "2.5", "true", "null", "x", '[1,"a"]']],
    ),
    ("ToString(c.obj)", ['{"a":1}']),
    ("ToString(c.missing)", []),
    ("[ToString(NaN), ToString(Infinity), ToString(-Infinity)]", [["NaN", "Infinity", "-Infinity"]]),
    ("[StringToNumber('1.5'), StringToNumber(' 2 '), StringToNumber('x')]", [[1.5, 2]]),
    ("[StringToBoolean('true'), StringToBoolean('false'), StringToBoolean('TRUE')]", [[True, False]]),
    ("StringToNull('null')", [None]),
    ("StringToNull('NULL')", []),
    ("StringToArray('[1, \"a\", [2]]')", [[1, "a", [2]]]),
    ("StringToArray(\"['a']\")", []),
    ('StringToObject(\'{"a": {"b": 2}}\')', [{"a": {"b": 2}}]),
    ("StringToObject('[1]')", []),
    ("RegexMatch(c.s, '^H.*d$')", [True]),
    ("RegexMatch(c.s, 'world')", [False]),
    ("RegexMatch(c.s, 'world', 'i')", [True]),
    ("RegexMatch(c.s, 'w o r l d', 'ix')", [True]),
    ("StringJoin(['a', 'b'], '-')", ["a-b"]),
    ("StringSplit('a,b', ',')", [["a", "b"]]),
    ("c.s || '!'", ["Hello World!"]),
    # --- mathematical-functions ------------------------------------------------------------------------
    ("[ABS(c.n), ABS(3), ABS('x')]", [[4.5, 3]]),
    ("[CEILING(c.n), FLOOR(c.n), CEILING(1.1), FLOOR(1.9)]", [[-4, -5, 2, 1]]),
    ("[ROUND(2.5), ROUND(-2.5), ROUND(2.4), ROUND(-6.5)]", [[3, -3, 2, -7]]),
    ("[TRUNC(2.7), TRUNC(-2.7)]", [[2, -2]]),
    ("[SQRT(16), SQRT(-1)]", [[4]]),
    ("[POWER(2, 10), SQUARE(3), EXP(0)]", [[1024, 9, 1]]),
    ("[LOG(1), LOG(8, 2), LOG10(1000), LOG(0)]", [[0, 3, 3]]),
    ("[SIGN(-3), SIGN(0), SIGN(2.5)]", [[-1, 0, 1]]),
    ("PI()", [math.pi]),
    ("[SIN(0), COS(0), TAN(0), ASIN(1), ACOS(1), ATAN(0)]", [[0, 1, 0, math.pi / 2, 0, 0]]),
    ("ATN2(35.175643, 129.44)", [math.atan2(35.175643, 129.44)]),
    ("[DEGREES(PI()), RADIANS(180)]", [[180, math.pi]]),
    ("COT(124.1332)", [1 / math.tan(124.1332)]),
    ("[NumberBin(37, 5), NumberBin(-4.5, 2), NumberBin(2.5)]", [[35, -6, 2]]),
    ("[IntAdd(1, 2), IntSub(1, 2), IntMul(3, 4), IntDiv(-7, 2), IntMod(-7, 2), IntDiv(1, 0)]", [[3, -1, 12, -3, -1]]),
    (
        "[IntBitAnd(6, 3), IntBitOr(5, 2), IntBitXor(5, 1), IntBitNot(5), "
        "IntBitLeftShift(1, 4), IntBitRightShift(16, 2)]",
        [[2, 7, 4, -6, 16, 4]],
    ),
    ("IntAdd(1.5, 1)", []),
    ("RAND() < 1 AND RAND() >= 0", [True]),
    ("abs(-1)", [1]),
    # --- array-functions ---------------------------------------------------------------------------------
    ("ARRAY_CONTAINS(c.arr, 'a')", [True]),
    ("ARRAY_CONTAINS(c.arr, 'b')", [False]),
    ("ARRAY_CONTAINS(c.arr, [2])", [True]),
    ('ARRAY_CONTAINS(c.arr, {"k": 1})', [False]),
    ('ARRAY_CONTAINS(c.arr, {"k": 1}, true)', [True]),
    ('ARRAY_CONTAINS(c.arr, {"k": 2}, true)', [False]),
    ("ARRAY_CONTAINS([1, 2], 1.0)", [True]),
    ("ARRAY_CONTAINS([true], 1)", [False]),
    ("ARRAY_CONTAINS(c.s, 'H')", []),
    # scalar-expressions remarks: a function with an undefined argument is not called; the result is undefined
    ("ARRAY_CONTAINS(c.arr, c.missing)", []),
    ("ARRAY_CONTAINS_ANY(c.arr, c.missing, 'a')", []),
    ("LENGTH(c.missing)", []),
    ("IIF(IS_DEFINED(c.missing), 1, 2)", [2]),
    ("ARRAY_CONTAINS_ANY(c.arr, 'x', 1)", [True]),
    ("ARRAY_CONTAINS_ANY(c.arr, 'x', 'y')", [False]),
    ("ARRAY_CONTAINS_ALL(c.arr, 'a', 1)", [True]),
    ("ARRAY_CONTAINS_ALL(c.arr, 'a', 2)", [False]),
    ("ARRAY_LENGTH(c.arr)", [4]),
    ("ARRAY_LENGTH(c.obj)", []),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], 1)", [["b", "c", "d"]]),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], 1, 2)", [["b", "c"]]),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], -2, 1)", [["c"]]),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], -2, 2)", [["c", "d"]]),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], 1, 0)", [[]]),
    ("ARRAY_SLICE(['a', 'b', 'c', 'd'], 1, 1000)", [["b", "c", "d"]]),
    ("ARRAY_CONCAT(['a'], ['b', 'c'], [])", [["a", "b", "c"]]),
    ("ARRAY_CONCAT(['a'], 'b')", []),
    ("SetIntersect([1, 2, 3, 2], [2, 3, 4])", [[2, 3]]),
    ("SetUnion([1, 2], [2, 3, 1])", [[1, 2, 3]]),
    ("ObjectToArray(c.obj)", [[{"k": "a", "v": 1}]]),
    ("ObjectToArray(c.obj, 'key', 'value')", [[{"key": "a", "value": 1}]]),
    # --- date-time-functions ----------------------------------------------------------------------------
    ("DateTimeAdd('mm', 1, '2020-07-03T00:00:00.0000000')", ["2020-08-03T00:00:00.0000000Z"]),
    ("DateTimeAdd('yyyy', -1, '2020-07-03T00:00:00.0000000')", ["2019-07-03T00:00:00.0000000Z"]),
    ("DateTimeAdd('ss', 5 * -5, '2020-07-03T00:00:00.0000000')", ["2020-07-02T23:59:35.0000000Z"]),
    ("DateTimeAdd('hh', 1, c.when)", ["2020-07-10T00:20:13.4575530Z"]),
    ("DateTimeAdd('mm', 1, '2020-01-31T00:00:00.0000000Z')", ["2020-02-29T00:00:00.0000000Z"]),
    ("DateTimeAdd('xx', 1, c.when)", []),
    ("DateTimeAdd('dd', 1, 'not a date')", []),
    (
        "[DateTimeDiff('yyyy', '2019-02-04T16:00:00.0000000', '2018-03-05T05:00:00.0000000'), "
        "DateTimeDiff('mm', '2019-02-04T16:00:00.0000000', '2018-03-05T05:00:00.0000000'), "
        "DateTimeDiff('dd', '2019-02-04T16:00:00.0000000', '2018-03-05T05:00:00.0000000'), "
        "DateTimeDiff('hh', '2019-02-04T16:00:00.0000000', '2018-03-05T05:00:00.0000000')]",
        [[-1, -11, -336, -8075]],
    ),
    ("DateTimeDiff('ss', '2020-01-01T00:00:00.9000000Z', '2020-01-01T00:00:01.1000000Z')", [1]),
    (
        "[DateTimePart('yyyy', c.when), DateTimePart('m', c.when), DateTimePart('dd', c.when), "
        "DateTimePart('hh', c.when)]",
        [[2020, 7, 9, 23]],
    ),
    (
        "[DateTimePart('ms', '2016-05-29T08:30:00.1301617Z'), DateTimePart('mcs', '2016-05-29T08:30:00.1301617Z'), "
        "DateTimePart('ns', '2016-05-29T08:30:00.1301617Z')]",
        [[130, 130161, 130161700]],
    ),
    ("DateTimeFromParts(2017, 4, 20, 13, 15)", ["2017-04-20T13:15:00.0000000Z"]),
    ("DateTimeFromParts(2017, 4, 20, 13, 15, 20, 3456789)", ["2017-04-20T13:15:20.3456789Z"]),
    ("DateTimeFromParts(2017, 2, 30)", []),
    ("DateTimeBin('2021-01-08T18:35:00.0000000', 'hh', 5)", ["2021-01-08T15:00:00.0000000Z"]),
    ("DateTimeBin('2021-01-08T18:35:00.0000000', 'dd', 7)", ["2021-01-07T00:00:00.0000000Z"]),
    ("DateTimeBin('2021-01-08T18:35:00', 'dd', 7, '1601-01-01T00:00:00.0000000')", ["2021-01-04T00:00:00.0000000Z"]),
    ("DateTimeToTicks(c.when)", [15943368134575530]),
    ("TicksToDateTime(15943368134575530)", ["2020-07-09T23:20:13.4575530Z"]),
    ("DateTimeToTimestamp(c.when)", [1594336813457]),
    ("TimestampToDateTime(1594227912345)", ["2020-07-08T17:05:12.3450000Z"]),
    ("IS_STRING(GetCurrentDateTime()) AND LENGTH(GetCurrentDateTime()) = 28", [True]),
    ("GetCurrentTimestamp() > 1700000000000 AND GetCurrentTicks() > 17000000000000000", [True]),
    ("DateTimeToTimestamp(GetCurrentDateTime()) <= GetCurrentTimestamp()", [True]),
    # --- vectordistance (brute force; cosine by default) ---------------------------------------------------
    ("VectorDistance(c.vec, [1, 0])", [1]),
    ("VectorDistance(c.vec, [0, 1])", [0]),
    ("VectorDistance([1, 2], [3, 4], false, {'distanceFunction': 'dotproduct'})", [11]),
    ("VectorDistance([0, 0], [3, 4], true, {'distanceFunction': 'euclidean'})", [5]),
    ("VectorDistance([1, 1], [2, 2], false, {'distanceFunction': 'cosine', 'dataType': 'float32'})", [1]),
    ("VectorDistance([1, 2], [1, 2, 3])", []),
    ("VectorDistance(c.vec, 'x')", []),
    ("VectorDistance(c.vec, [1, 0], false, {'distanceFunction': 'manhattan'})", []),
    # --- fulltextcontains, fulltextcontainsall, fulltextcontainsany ---------------------------------------
    ("FullTextContains(c.text, 'fox')", [True]),
    ("FullTextContains(c.text, 'quick brown')", [True]),
    ("FullTextContains(c.text, 'qui')", [False]),
    ("FullTextContainsAll(c.text, 'quick', 'JUMPS')", [True]),
    ("FullTextContainsAll(c.text, 'quick', 'dog')", [False]),
    ("FullTextContainsAny(c.text, 'dog', 'fox')", [True]),
    ("FullTextContainsAny(c.missing, 'dog')", []),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[expression for expression, _ in CASES])
def test_function_table(expression: str, expected: list[Any]) -> None:
    rows = compile_query(f"SELECT VALUE {expression} FROM c").run([DOC], {})
    assert [tagged(row) for row in rows] == [tagged(row) for row in expected]


@pytest.mark.parametrize(
    ("options", "expected"),
    [("", ["near", "mid"]), (", false, {'distanceFunction': 'euclidean'}", ["near", "mid"])],
)
def test_order_by_vector_distance_puts_most_similar_first(options: str, expected: list[str]) -> None:
    docs = [{"id": "far", "v": [-1.0, 0.2]}, {"id": "near", "v": [1.0, 0.1]}, {"id": "mid", "v": [0.5, 1.0]}]
    query = compile_query(f"SELECT TOP 2 VALUE c.id FROM c ORDER BY VectorDistance(c.v, @q{options})")
    assert query.run(docs, {"@q": [1.0, 0.0]}) == expected


def test_vector_search_orders_most_similar_first() -> None:
    docs = [{"id": "far", "v": [0.0, 1.0]}, {"id": "near", "v": [1.0, 0.1]}, {"id": "mid", "v": [1.0, 1.0]}]
    query = compile_query("SELECT TOP 2 c.id, VectorDistance(c.v, @q) AS score FROM c ORDER BY VectorDistance(c.v, @q)")
    rows = query.run(docs, {"@q": [1.0, 0.0]})
    assert [row["id"] for row in rows] == ["near", "mid"]
    assert rows[0]["score"] > rows[1]["score"]
