"""Table of Cosmos SQL queries with aggregates, GROUP BY, JOIN and subqueries, from the documentation.

Each group cites the page of https://learn.microsoft.com/azure/cosmos-db/nosql/query/ it follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.unit.local_emulators.cosmos.query_cases import assert_query_rows

PEOPLE: list[dict[str, Any]] = [
    {"id": "1", "name": "Ann", "age": 30, "team": "a", "tags": ["x", "y"], "score": 5},
    {"id": "2", "name": "bob", "age": 25, "team": "b", "tags": ["y"], "score": None, "address": {"city": "Rome"}},
    {"id": "3", "name": "Cid", "age": 35, "team": "a", "tags": [], "nick": None},
    {"id": "4", "name": "Dee", "age": "40", "team": "b"},
]
FAMILIES: list[dict[str, Any]] = [
    {"id": "AndersenFamily", "children": [{"firstName": "Henriette", "grade": 5, "pets": [{"givenName": "Fluffy"}]}]},
    {
        "id": "WakefieldFamily",
        "children": [
            {"firstName": "Jesse", "grade": 1, "pets": [{"givenName": "Goofy"}, {"givenName": "Shadow"}]},
            {"firstName": "Lisa", "grade": 8},
        ],
    },
]
FOOD: list[dict[str, Any]] = [
    {
        "id": "1",
        "description": "fruit pudding",
        "tags": [{"name": "orange"}],
        "nutrients": [{"units": "mg", "value": 5}, {"units": "g", "value": 50}, {"units": "mg", "value": 7}],
    },
    {"id": "2", "description": "bread", "tags": [], "nutrients": [{"units": "mg", "value": 30}]},
]
EMPLOYEES: list[dict[str, Any]] = [
    {"name": "Jordan", "capabilities": {"softwareDevelopment": "python", "mediaTrained": True}},
    {"name": "Mikaela", "capabilities": {"softwareDevelopment": "javascript", "mediaTrained": False}},
    {"name": "Graham", "capabilities": {"softwareDevelopment": "c-sharp", "mediaTrained": True}},
    {"name": "Hayden", "capabilities": {"softwareDevelopment": "javascript", "mediaTrained": True}},
    {"name": "Morgan", "capabilities": {"mediaTrained": True}},
]


@dataclass(frozen=True)
class Case:
    """One query with its documents, parameters and expected result rows."""

    query: str
    expected: list[Any]
    docs: list[dict[str, Any]] = field(default_factory=lambda: PEOPLE)
    params: dict[str, Any] = field(default_factory=dict)
    any_order: bool = False


CASES: list[Case] = [
    # --- aggregate-functions, count, sum, average, min, max ----------------------------------------------
    Case("SELECT VALUE COUNT(1) FROM c", [4]),
    Case("SELECT COUNT(1) FROM c", [{"$1": 4}]),
    Case("SELECT VALUE COUNT(c.score) FROM c", [2]),  # null is a defined value
    Case("SELECT VALUE COUNT(c.missing) FROM c", [0]),
    Case("SELECT VALUE SUM(c.age) FROM c", []),  # one string argument makes the whole SUM undefined
    Case("SELECT VALUE SUM(c.age) FROM c WHERE IS_NUMBER(c.age)", [90]),
    Case("SELECT VALUE AVG(c.age) FROM c WHERE IS_NUMBER(c.age)", [30]),
    Case("SELECT VALUE SUM(p.quantity) FROM products p", [50], docs=[{"quantity": 35}, {}, {"quantity": 15}]),
    Case("SELECT VALUE AVG(c.s) FROM c", [1.5], docs=[{"s": 1}, {"s": 2}, {}]),
    Case("SELECT VALUE SUM(c.s) FROM c", [], docs=[{"s": None}, {"s": 1}]),
    Case("SELECT VALUE AVG(c.s) FROM c", [], docs=[{"s": True}, {"s": 1}]),
    Case("SELECT VALUE MIN(c.age) FROM c", [25]),
    Case("SELECT VALUE MAX(c.age) FROM c", ["40"]),  # strings rank above numbers
    Case("SELECT VALUE MAX(c.v) FROM c", ["a"], docs=[{"v": None}, {"v": True}, {"v": 7}, {"v": "a"}, {}]),
    Case("SELECT VALUE MIN(c.v) FROM c", [None], docs=[{"v": None}, {"v": True}, {"v": 7}, {"v": "a"}, {}]),
    Case("SELECT VALUE MIN(c.v) FROM c", [False], docs=[{"v": True}, {"v": False}, {"v": 7}]),
    Case("SELECT VALUE MAX(c.v) FROM c", [], docs=[{"v": [1]}, {"v": 2}]),
    Case("SELECT VALUE COUNT(1) FROM c WHERE false", [0]),
    Case("SELECT VALUE SUM(c.age) FROM c WHERE false", [0]),
    Case("SELECT VALUE AVG(c.age) FROM c WHERE false", []),
    Case("SELECT VALUE MAX(c.age) FROM c WHERE false", []),
    Case("SELECT AVG(c.age) AS a FROM c WHERE false", [{}]),
    Case("SELECT COUNT(1) AS n, MIN(c.age) AS lo, MAX(c.name) AS hi FROM c", [{"n": 4, "lo": 25, "hi": "bob"}]),
    Case("SELECT VALUE COUNT(1) * 10 + 1 FROM c", [41]),
    Case("SELECT VALUE {n: COUNT(1), teams: 'all'} FROM c", [{"n": 4, "teams": "all"}]),
    Case("SELECT count(1) AS n FROM c WHERE c.team = @t", [{"n": 2}], params={"@t": "a"}),
    # --- group-by -----------------------------------------------------------------------------------------
    Case(
        "SELECT c.team, COUNT(1) AS n FROM c GROUP BY c.team",
        [{"team": "a", "n": 2}, {"team": "b", "n": 2}],
        any_order=True,
    ),
    Case("SELECT VALUE c.team FROM c GROUP BY c.team", ["a", "b"], any_order=True),
    Case("SELECT c.nick, COUNT(1) AS n FROM c GROUP BY c.nick", [{"n": 3}, {"nick": None, "n": 1}], any_order=True),
    Case(
        "SELECT c.team, c.age > 28 AS old, COUNT(1) AS n FROM c GROUP BY c.team, c.age > 28",
        [{"team": "a", "old": True, "n": 2}, {"team": "b", "old": False, "n": 1}, {"team": "b", "n": 1}],
        any_order=True,
    ),
    Case(
        "SELECT UPPER(c.team) AS t, SUM(c.score) AS s FROM c GROUP BY UPPER(c.team)",
        [{"t": "A", "s": 5}, {"t": "B"}],
        any_order=True,
    ),
    Case(
        "SELECT e.capabilities.softwareDevelopment AS developmentLang FROM employees e "
        "GROUP BY e.capabilities.softwareDevelopment",
        [{}, {"developmentLang": "c-sharp"}, {"developmentLang": "javascript"}, {"developmentLang": "python"}],
        docs=EMPLOYEES,
        any_order=True,
    ),
    Case(
        "SELECT e.capabilities.mediaTrained AS trained, COUNT(1) AS n FROM e GROUP BY e.capabilities.mediaTrained",
        [{"trained": True, "n": 4}, {"trained": False, "n": 1}],
        docs=EMPLOYEES,
        any_order=True,
    ),
    Case("SELECT COUNT(1) AS n FROM c WHERE false GROUP BY c.team", []),
    Case(
        "SELECT c.team, 'x' AS lit, MAX(c.name) AS m FROM c GROUP BY c.team",
        [{"team": "a", "lit": "x", "m": "Cid"}, {"team": "b", "lit": "x", "m": "bob"}],
        any_order=True,
    ),
    Case("SELECT VALUE COUNT(1) FROM c GROUP BY c.team", [2, 2]),
    Case("SELECT DISTINCT VALUE COUNT(1) FROM c GROUP BY c.team", [2]),
    # --- join ---------------------------------------------------------------------------------------------
    Case(
        "SELECT c.id, t AS tag FROM c JOIN t IN c.tags",
        [{"id": "1", "tag": "x"}, {"id": "1", "tag": "y"}, {"id": "2", "tag": "y"}],
    ),
    Case("SELECT VALUE c.id FROM c JOIN t IN c.tags WHERE t = 'y'", ["1", "2"]),
    Case(
        "SELECT f.id, ch.firstName, p.givenName FROM Families f JOIN ch IN f.children JOIN p IN ch.pets",
        [
            {"id": "AndersenFamily", "firstName": "Henriette", "givenName": "Fluffy"},
            {"id": "WakefieldFamily", "firstName": "Jesse", "givenName": "Goofy"},
            {"id": "WakefieldFamily", "firstName": "Jesse", "givenName": "Shadow"},
        ],
        docs=FAMILIES,
    ),
    Case(
        "SELECT VALUE [x, y] FROM c JOIN x IN c.a JOIN y IN c.b",
        [[1, "x"], [1, "y"], [2, "x"], [2, "y"]],
        docs=[{"a": [1, 2], "b": ["x", "y"]}],
    ),
    Case("SELECT VALUE c.id FROM c JOIN t IN c.address", []),
    Case("SELECT DISTINCT VALUE c.id FROM c JOIN t IN c.tags", ["1", "2"]),
    Case("SELECT VALUE COUNT(1) FROM c JOIN t IN c.tags", [3]),
    Case(
        "SELECT t, COUNT(1) AS n FROM c JOIN t IN c.tags GROUP BY t",
        [{"t": "x", "n": 1}, {"t": "y", "n": 2}],
        any_order=True,
    ),
    Case("SELECT VALUE t FROM c JOIN t IN c.tags ORDER BY t DESC", ["y", "y", "x"]),
    Case("SELECT TOP 1 VALUE t FROM c JOIN t IN c.tags ORDER BY c.age", ["y"]),
    # --- subquery: EXISTS, ARRAY, scalar, FROM and JOIN subqueries, correlated with the outer row --------
    Case("SELECT VALUE c.id FROM c WHERE EXISTS(SELECT VALUE t FROM t IN c.tags WHERE t = 'x')", ["1"]),
    Case("SELECT VALUE c.id FROM c WHERE NOT EXISTS(SELECT VALUE t FROM t IN c.tags)", ["3", "4"]),
    Case(
        "SELECT c.id, EXISTS(SELECT VALUE t FROM t IN c.tags WHERE t = 'y') AS hasY FROM c",
        [{"id": "1", "hasY": True}, {"id": "2", "hasY": True}, {"id": "3", "hasY": False}, {"id": "4", "hasY": False}],
    ),
    Case(
        "SELECT c.id, ARRAY(SELECT VALUE UPPER(t) FROM t IN c.tags) AS up FROM c WHERE c.id IN ('1', '3')",
        [{"id": "1", "up": ["X", "Y"]}, {"id": "3", "up": []}],
    ),
    Case(
        "SELECT c.id, (SELECT VALUE COUNT(1) FROM t IN c.tags) AS n FROM c",
        [{"id": "1", "n": 2}, {"id": "2", "n": 1}, {"id": "3", "n": 0}, {"id": "4", "n": 0}],
    ),
    Case("SELECT VALUE c.id FROM c WHERE (SELECT VALUE COUNT(1) FROM t IN c.tags) > 1", ["1"]),
    Case("SELECT VALUE COUNT(1) FROM (SELECT DISTINCT VALUE c.team FROM c) AS s", [2]),
    Case("SELECT VALUE COUNT(1) FROM (SELECT TOP 3 * FROM c)", [3]),
    Case("SELECT s.n FROM (SELECT c.name AS n, c.age AS a FROM c) s WHERE s.a > 30", [{"n": "Cid"}]),
    Case("SELECT VALUE c.id FROM c JOIN (SELECT VALUE t FROM t IN c.tags WHERE t = 'x') x", ["1"]),
    Case("SELECT VALUE (SELECT VALUE 1 + 1)", [2]),
    Case("SELECT c.id, (SELECT VALUE t FROM t IN c.tags WHERE t = 'q') AS q FROM c WHERE c.id = '1'", [{"id": "1"}]),
    Case("SELECT VALUE (SELECT VALUE MAX(ch.grade) FROM ch IN f.children) FROM Families f", [5, 8], docs=FAMILIES),
    Case(
        "SELECT f.id, ARRAY(SELECT ch.firstName FROM ch IN f.children WHERE ch.grade > 3) AS older FROM Families f",
        [
            {"id": "AndersenFamily", "older": [{"firstName": "Henriette"}]},
            {"id": "WakefieldFamily", "older": [{"firstName": "Lisa"}]},
        ],
        docs=FAMILIES,
    ),
    Case(
        "SELECT VALUE ARRAY_LENGTH(ARRAY(SELECT VALUE p FROM ch IN f.children JOIN p IN ch.pets)) FROM f",
        [1, 2],
        docs=FAMILIES,
    ),
    # subquery page: EXISTS over a single undefined value is false, over `{}` true; scalar and JOIN forms
    Case("SELECT EXISTS(SELECT VALUE undefined) AS e", [{"e": False}]),
    Case("SELECT EXISTS(SELECT undefined) AS e", [{"e": True}]),
    Case("SELECT (SELECT VALUE 1) AS a, (SELECT VALUE 2) AS b", [{"a": 1, "b": 2}]),
    Case(
        "SELECT f.id, (SELECT f.description WHERE CONTAINS(f.description, 'fruit')).description FROM food f",
        [{"id": "1", "description": "fruit pudding"}, {"id": "2"}],
        docs=FOOD,
    ),
    Case(
        "SELECT f.id, (SELECT COUNT(1) AS count, SUM(n.value) AS sum FROM n IN f.nutrients WHERE n.units = 'mg') AS mg "
        "FROM food f",
        [{"id": "1", "mg": {"count": 2, "sum": 12}}, {"id": "2", "mg": {"count": 1, "sum": 30}}],
        docs=FOOD,
    ),
    Case(
        "SELECT f.id, n FROM food f JOIN (SELECT VALUE COUNT(1) FROM n IN f.nutrients WHERE n.units = 'mg') AS n "
        "WHERE n > 1",
        [{"id": "1", "n": 2}],
        docs=FOOD,
    ),
    Case(
        "SELECT COUNT(1) AS Count FROM c JOIN (SELECT VALUE t FROM t IN c.tags WHERE t.name = 'orange') "
        "JOIN (SELECT VALUE n FROM n IN c.nutrients WHERE n.value > 0 AND n.value < 10)",
        [{"Count": 2}],
        docs=FOOD,
    ),
    Case(
        "SELECT n.value, r.name FROM food JOIN n IN food.nutrients "
        "JOIN r IN (SELECT VALUE [{unit: 'mg', name: 'milligram'}, {unit: 'g', name: 'gram'}]) WHERE n.units = r.unit",
        [
            {"value": 5, "name": "milligram"},
            {"value": 50, "name": "gram"},
            {"value": 7, "name": "milligram"},
            {"value": 30, "name": "milligram"},
        ],
        docs=FOOD,
    ),
    Case(
        "SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(ARRAY(SELECT VALUE t FROM t IN c.tags), @t)",
        ["1"],
        params={"@t": "x"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.query for case in CASES])
def test_query_table_groups(case: Case) -> None:
    assert_query_rows(case.query, case.docs, case.params, case.expected, any_order=case.any_order)
