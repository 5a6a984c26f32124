"""Table of Cosmos SQL queries (clauses, operators, undefined/null) with the results the documentation gives.

Each group cites the page of https://learn.microsoft.com/azure/cosmos-db/nosql/query/ whose semantics it
follows. Results are compared strictly: `true` is not `1`, and `1` equals `1.0` only as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from local_emulators.cosmos.query import compile_query
from tests.unit.local_emulators.cosmos.query_cases import assert_query_rows

PEOPLE: list[dict[str, Any]] = [
    {"id": "1", "name": "Ann", "age": 30, "team": "a", "tags": ["x", "y"], "address": {"city": "Oslo"}, "score": 5},
    {"id": "2", "name": "bob", "age": 25, "team": "b", "tags": ["y"], "address": {"city": "Rome"}, "score": None},
    {"id": "3", "name": "Cid", "age": 35, "team": "a", "tags": [], "nick": None},
    {"id": "4", "name": "Dee", "age": "40", "team": "b"},
]
# One value of every JSON type plus a missing one, for the cross-type order.
MIXED: list[dict[str, Any]] = [
    {"id": "obj", "v": {"k": 1}},
    {"id": "str", "v": "a"},
    {"id": "undef"},
    {"id": "true", "v": True},
    {"id": "num2", "v": 2.5},
    {"id": "arr", "v": [1]},
    {"id": "null", "v": None},
    {"id": "num1", "v": 1},
    {"id": "false", "v": False},
]
FAMILIES: list[dict[str, Any]] = [
    {
        "id": "AndersenFamily",
        "lastName": "Andersen",
        "children": [{"firstName": "Henriette", "grade": 5, "pets": [{"givenName": "Fluffy"}]}],
        "address": {"state": "WA"},
    },
    {
        "id": "WakefieldFamily",
        "children": [
            {"firstName": "Jesse", "grade": 1, "pets": [{"givenName": "Goofy"}, {"givenName": "Shadow"}]},
            {"firstName": "Lisa", "grade": 8},
        ],
        "address": {"state": "NY"},
    },
]
SYSTEM = {"id": "s", "_rid": "AAA=", "_ts": 1700000000, "_etag": '"0"', "_self": "dbs/x/colls/y/docs/AAA=/"}


@dataclass(frozen=True)
class Case:
    """One query with its documents, parameters and expected result rows."""

    query: str
    expected: list[Any]
    docs: list[dict[str, Any]] = field(default_factory=lambda: PEOPLE)
    params: dict[str, Any] = field(default_factory=dict)
    any_order: bool = False


CASES: list[Case] = [
    # --- select: SELECT *, VALUE, projections, aliases, constructors, $1 names -------------------------
    Case("SELECT * FROM c WHERE c.id = 's'", [SYSTEM], docs=[SYSTEM]),
    Case("SELECT VALUE c.id FROM c", ["1", "2", "3", "4"]),
    Case("SELECT c.id, c.address.city FROM c WHERE c.age > 26", [{"id": "1", "city": "Oslo"}, {"id": "3"}]),
    Case("SELECT c.name AS n FROM c WHERE c.id = '1'", [{"n": "Ann"}]),
    Case("SELECT c.name n FROM c WHERE c.id = '1'", [{"n": "Ann"}]),
    Case("SELECT c['address']['city'] FROM c WHERE c.id = '2'", [{"city": "Rome"}]),
    Case('SELECT c["x-y"] FROM c', [{"x-y": 1}], docs=[{"x-y": 1}]),
    Case('SELECT {"who": c.name, "t": c.team} AS o FROM c WHERE c.id = \'3\'', [{"o": {"who": "Cid", "t": "a"}}]),
    Case("SELECT VALUE [c.id, c.age] FROM c WHERE c.id = '2'", [["2", 25]]),
    Case("SELECT VALUE {a: c.missing, b: 1} FROM c WHERE c.id = '2'", [{"b": 1}]),
    # scalar-expressions remarks: undefined array elements are skipped and the next element takes their place
    Case("SELECT VALUE [c.missing, c.id, c.nope, c.age] FROM c WHERE c.id = '2'", [["2", 25]]),
    Case("SELECT c.id, c.age + 1 FROM c WHERE c.id = '1'", [{"id": "1", "$1": 31}]),
    Case("SELECT 1, 'two', c.id FROM c WHERE c.id = '1'", [{"$1": 1, "$2": "two", "id": "1"}]),
    Case("SELECT c FROM c WHERE c.id = '4'", [{"c": PEOPLE[3]}]),
    Case("SELECT c.missing FROM c WHERE c.id = '1'", [{}]),
    Case("SELECT VALUE c.missing FROM c", []),
    Case("SELECT VALUE undefined", []),
    Case("SELECT VALUE null", [None]),
    Case("SELECT 1 + 2 AS three, 'a' || 'b' AS ab", [{"three": 3, "ab": "ab"}]),
    Case("SELECT VALUE c.tags[0] FROM c", ["x", "y"]),
    Case("SELECT VALUE c.tags[@i] FROM c WHERE c.id = '1'", ["y"], params={"@i": 1}),
    # --- from: any alias, root, container.path, IN iteration --------------------------------------------
    Case("SELECT VALUE r.id FROM root r WHERE r.age = 25", ["2"]),
    Case("SELECT VALUE f.id FROM Families f WHERE f.address.state = 'NY'", ["WakefieldFamily"], docs=FAMILIES),
    Case("SELECT * FROM Families.address", [{"state": "WA"}, {"state": "NY"}], docs=FAMILIES),
    Case("SELECT VALUE a.state FROM c.address a", ["WA", "NY"], docs=FAMILIES),
    Case("SELECT VALUE ch.firstName FROM ch IN c.children", ["Henriette", "Jesse", "Lisa"], docs=FAMILIES),
    Case("SELECT * FROM t IN c.tags", ["x", "y", "y"]),
    Case("SELECT VALUE t FROM t IN c.tags WHERE t != 'x'", ["y", "y"]),
    # --- where + equality-comparison-operators: only `true` keeps a row; cross-type is undefined --------
    Case("SELECT VALUE c.id FROM c WHERE c.age > 26", ["1", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.age >= '40'", ["4"]),
    Case("SELECT VALUE c.id FROM c WHERE c.age != 30", ["2", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.age <> 30", ["2", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name < 'D'", ["1", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.score = null", ["2"]),
    Case("SELECT VALUE c.id FROM c WHERE c.nick = null", ["3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.missing = null", []),
    Case("SELECT VALUE c.id FROM c WHERE c.missing != null", []),
    Case("SELECT VALUE c.id FROM c WHERE c.score", []),
    Case('SELECT VALUE c.id FROM c WHERE c.address = {"city": "Oslo"}', ["1"]),
    Case("SELECT VALUE c.id FROM c WHERE c.tags = ['y']", ["2"]),
    Case("SELECT VALUE c.id FROM c WHERE c.tags > []", []),
    Case(
        "SELECT VALUE c.v = 1 FROM c WHERE c.id IN ('num1', 'true', 'null', 'undef', 'num2')", [False, True], docs=MIXED
    ),
    Case("SELECT VALUE c.v = true FROM c WHERE c.id IN ('num1', 'true')", [True], docs=MIXED),
    Case("SELECT VALUE 1 = 1.0", [True]),
    Case('SELECT VALUE [1, {"a": 2}] = [1.0, {"a": 2}]', [True]),
    Case("SELECT VALUE null = null", [True]),
    Case("SELECT VALUE 1 < 'a'", []),
    Case("SELECT VALUE false < true", [True]),
    # --- logical-operators: three-valued AND / OR / NOT ---------------------------------------------------
    Case("SELECT VALUE c.id FROM c WHERE c.team = 'a' AND c.age > 31", ["3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.team = 'b' OR c.age = 30", ["1", "2", "4"]),
    Case("SELECT VALUE c.id FROM c WHERE NOT (c.age > 26)", ["2"]),
    Case("SELECT VALUE c.id FROM c WHERE NOT c.missing", []),
    Case("SELECT VALUE c.id FROM c WHERE c.missing OR c.id = '2'", ["2"]),
    Case("SELECT VALUE c.id FROM c WHERE c.missing AND false", []),
    Case(
        "SELECT VALUE [true AND undefined, false AND undefined, true OR undefined, false OR undefined]", [[False, True]]
    ),
    Case("SELECT VALUE {a: NOT true, b: NOT 1, c: NOT undefined}", [{"a": False}]),
    # --- keywords: IN, BETWEEN, LIKE, DISTINCT, TOP -------------------------------------------------------
    Case("SELECT VALUE c.id FROM c WHERE c.team IN ('a', 'z')", ["1", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.age NOT IN (30, 25)", ["3", "4"]),
    Case("SELECT VALUE c.id FROM c WHERE c.missing NOT IN (1)", []),
    Case("SELECT VALUE c.id FROM c WHERE c.age BETWEEN 25 AND 30", ["1", "2"]),
    Case("SELECT VALUE c.id FROM c WHERE c.age NOT BETWEEN 25 AND 30", ["3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name BETWEEN 'A' AND 'C'", ["1"]),
    Case(
        "SELECT (c.age BETWEEN 0 AND 30) AS young, c.id FROM c WHERE c.id IN ('1', '3')",
        [{"young": True, "id": "1"}, {"young": False, "id": "3"}],
    ),
    Case("SELECT VALUE c.id FROM c WHERE c.name LIKE '%e%'", ["4"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name LIKE '_o_'", ["2"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name LIKE '[A-C]%'", ["1", "3"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name LIKE '[^A-C]%'", ["2", "4"]),
    Case("SELECT VALUE c.id FROM c WHERE c.name NOT LIKE 'A%'", ["2", "3", "4"]),
    Case("SELECT VALUE c.d LIKE '%20^%%' ESCAPE '^' FROM c", [True, False], docs=[{"d": "a 20% off"}, {"d": "20"}]),
    Case("SELECT VALUE c.d LIKE '20-30[%]' FROM c", [True], docs=[{"d": "20-30%"}]),
    Case("SELECT VALUE c.d LIKE '[_]n' FROM c", [True, False], docs=[{"d": "_n"}, {"d": "an"}]),
    Case("SELECT VALUE c.age LIKE '4%' FROM c", [True]),
    Case("SELECT DISTINCT VALUE c.team FROM c", ["a", "b"]),
    Case("SELECT DISTINCT c.nick FROM c", [{}, {"nick": None}]),
    Case("SELECT DISTINCT VALUE t FROM t IN c.tags", ["x", "y"]),
    Case(
        "SELECT DISTINCT VALUE c.v FROM c", [1, {"a": 1}], docs=[{"v": 1}, {"v": 1.0}, {"v": {"a": 1}}, {"v": {"a": 1}}]
    ),
    Case("SELECT TOP 2 VALUE c.id FROM c", ["1", "2"]),
    Case("SELECT TOP @n VALUE c.id FROM c", ["1"], params={"@n": 1}),
    Case("SELECT TOP 0 VALUE c.id FROM c", []),
    # --- order-by: all items returned, undefined first; mixed types in the documented order -------------
    Case("SELECT VALUE c.id FROM c ORDER BY c.age", ["2", "1", "3", "4"]),
    Case("SELECT VALUE c.id FROM c ORDER BY c.age DESC", ["4", "3", "1", "2"]),
    Case(
        "SELECT VALUE c.id FROM c ORDER BY c.v ASC",
        [d["id"] for d in [MIXED[i] for i in (2, 6, 8, 3, 7, 4, 1, 5, 0)]],
        docs=MIXED,
    ),
    Case(
        "SELECT VALUE c.id FROM c ORDER BY c.v DESC",
        ["obj", "arr", "str", "num2", "num1", "true", "false", "null", "undef"],
        docs=MIXED,
    ),
    Case("SELECT VALUE c.id FROM c ORDER BY c.nick", ["1", "2", "4", "3"]),
    Case("SELECT VALUE c.id FROM c ORDER BY c.team DESC, c.age ASC", ["2", "4", "1", "3"]),
    Case("SELECT VALUE c.id FROM c ORDER BY c.team, c.name DESC", ["3", "1", "2", "4"]),
    Case("SELECT VALUE c.id FROM c ORDER BY c.address.city DESC", ["2", "1", "3", "4"]),
    Case("SELECT TOP 1 VALUE c.name FROM c ORDER BY c.age DESC", ["Dee"]),
    Case("SELECT VALUE c.name FROM c ORDER BY LOWER(c.name) DESC", ["Dee", "Cid", "bob", "Ann"]),
    # --- offset-limit -------------------------------------------------------------------------------------
    Case("SELECT VALUE c.id FROM c ORDER BY c.id OFFSET 1 LIMIT 2", ["2", "3"]),
    Case("SELECT VALUE c.id FROM c OFFSET 3 LIMIT 10", ["4"]),
    Case("SELECT VALUE c.id FROM c OFFSET 10 LIMIT 1", []),
    Case("SELECT VALUE c.id FROM c OFFSET @o LIMIT @l", ["2"], params={"@o": 1, "@l": 1}),
    Case("SELECT VALUE c.id FROM c OFFSET 0 LIMIT 0", []),
    # --- ternary-coalesce-operators, arithmetic, bitwise-operators, string concatenation -----------------
    Case("SELECT VALUE c.age > 29 ? 'old' : 'young' FROM c WHERE c.id IN ('1', '2')", ["old", "young"]),
    Case("SELECT VALUE c.missing > 1 ? 'yes' : 'no' FROM c WHERE c.id = '1'", ["no"]),
    Case("SELECT VALUE c.nick ?? 'none' FROM c", ["none", "none", None, "none"]),
    Case("SELECT VALUE c.missing ?? c.score ?? 0 FROM c WHERE c.id IN ('1', '2', '3')", [5, None, 0]),
    Case(
        "SELECT VALUE [7 / 2, 4 / 2, 7 % 3, -7 % 3, 2 * 3 - 1, -c.age] FROM c WHERE c.id = '1'",
        [[3.5, 2, 1, -1, 5, -30]],
    ),
    Case("SELECT VALUE {a: 1 / 0, b: 'a' + 1, c: c.age + c.missing} FROM c WHERE c.id = '1'", [{}]),
    Case("SELECT VALUE [5 | 2, 6 & 3, 5 ^ 1, 1 << 3, 16 >> 2, ~5]", [[7, 2, 4, 8, 4, -6]]),
    Case("SELECT VALUE c.name || '-' || c.team FROM c WHERE c.id = '1'", ["Ann-a"]),
    Case("SELECT VALUE c.name || c.age FROM c", ["Dee40"]),
    # --- constants: string escapes, numbers, comments; keywords are case-insensitive --------------------
    Case("select value 'it\\'s' -- a comment", ["it's"]),
    Case("SELECT VALUE [\"a\\\"b\", 'tab\\tx', '\\u0041', 1.5e2]", [['a"b', "tab\tx", "A", 150]]),
    Case("SeLeCt VaLuE C.id FrOm C wHeRe C.age = 30", ["1"]),
    Case(
        "SELECT c.age AS rank, c.value FROM c ORDER BY c.rank", [{"rank": 1, "value": 2}], docs=[{"age": 1, "value": 2}]
    ),
    # --- parameterized queries ---------------------------------------------------------------------------
    Case("SELECT VALUE c.id FROM c WHERE c.team = @t AND c.age > @a", ["3"], params={"@t": "a", "@a": 31}),
    Case("SELECT VALUE c.id FROM c WHERE c.id IN (@a, @b)", ["2", "4"], params={"@a": "2", "@b": "4"}),
    Case("SELECT VALUE c.id FROM c WHERE c.score = @n", ["2"], params={"@n": None}),
    Case("SELECT VALUE @obj.k", [3], params={"@obj": {"k": 3}}),
]


@pytest.mark.parametrize("case", CASES, ids=[case.query for case in CASES])
def test_query_table(case: Case) -> None:
    assert_query_rows(case.query, case.docs, case.params, case.expected, any_order=case.any_order)


def test_documents_are_not_modified_and_query_reruns() -> None:
    docs = [dict(doc) for doc in PEOPLE]
    query = compile_query("SELECT c.id, c.name FROM c WHERE c.age > 26 ORDER BY c.age DESC")
    first = query.run(docs, {})
    assert first == query.run(docs, {}) == [{"id": "3", "name": "Cid"}, {"id": "1", "name": "Ann"}]
    assert docs == PEOPLE


def test_flags_describe_the_query() -> None:
    grouped = compile_query("SELECT c.team, COUNT(1) FROM c GROUP BY c.team")
    assert (grouped.has_group_by, grouped.has_aggregate, grouped.has_order_by) == (True, True, False)
    ordered = compile_query("SELECT * FROM c WHERE EXISTS(SELECT VALUE COUNT(1) FROM t IN c.tags) ORDER BY c.id")
    assert (ordered.has_group_by, ordered.has_aggregate, ordered.has_order_by) == (False, False, True)
