"""Errors of the Cosmos SQL query package: syntax errors with positions, unsupported features named.

Every error is a `QueryError` (the server answers 400); tests decide by type and check that the message
names the offending part, as the assignment requires.
"""

from __future__ import annotations

import pytest

from local_emulators.cosmos.query import (
    QueryCompileError,
    QueryError,
    QueryRuntimeError,
    QuerySyntaxError,
    UnsupportedQueryError,
    compile_query,
)
from local_emulators.cosmos.query.udf_calls import UDF_PARAMETER

SYNTAX_ERRORS = [
    # (query, position of the offending token, text the message must name)
    ("SELECT * FORM c", 9, "'FORM'"),
    ("SELECT c.id FROM c WHERE", 24, "end of query"),
    ("SELECT 'abc FROM c", 7, "Unterminated string"),
    ("SELECT c.id FROM c WHERE c.x = #", 31, "'#'"),
    ("SELECT (1 + 2 FROM c", 14, "')'"),
    ("SELECT c.id FROM c ORDER c.id", 25, "BY"),
    ("SELECT TOP -1 * FROM c", 11, "'-'"),
    ("SELECT * FROM c WHERE c.x IN ()", 30, "')'"),
    ("SELECT COUNT(*) FROM c", 13, "COUNT(*)"),
    ("SELECT VALUE {1: 2}", 14, "property name"),
    ("SELECT VALUE 'a\\q'", 15, "escape"),
    ("SELECT * FROM c /* never closed", 16, "comment"),
    ("SELECT @ FROM c", 7, "parameter name"),
    ("SELECT * FROM c WHERE c.a BETWEEN 1 OR 2", 36, "AND"),
    ("SELECT * FROM 1", 14, "container name"),
    ("SELECT c.id FROM c OFFSET 1", 27, "LIMIT"),
]


@pytest.mark.parametrize(("query", "position", "named"), SYNTAX_ERRORS, ids=[q for q, _, _ in SYNTAX_ERRORS])
def test_syntax_errors_name_the_token_and_its_position(query: str, position: int, named: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(query)
    assert caught.value.position == position
    assert named in caught.value.message
    assert f"position {position}" in str(caught.value)


def test_syntax_error_reports_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query("SELECT *\nFROM c\nWHERE c.x = = 1")
    assert caught.value.position == 28
    assert "line 3, column 13" in caught.value.message


UNSUPPORTED = [
    ("SELECT VALUE DocumentId(c) FROM c", "DocumentId"),
    ("SELECT * FROM c JOIN a IN c.a JOIN b IN c.b JOIN d IN c.d JOIN e IN c.e JOIN f IN c.f JOIN g IN c.g", "JOIN"),
]


@pytest.mark.parametrize(("query", "named"), UNSUPPORTED, ids=[named for _, named in UNSUPPORTED])
def test_unsupported_features_are_named(query: str, named: str) -> None:
    with pytest.raises(UnsupportedQueryError) as caught:
        compile_query(query)
    assert named in caught.value.message
    assert caught.value.position is not None


def test_an_unknown_udf_is_a_query_error_naming_it() -> None:
    with pytest.raises(QueryError) as caught:
        compile_query("SELECT VALUE udf.tax(c.price) FROM c").run([{"price": 1}], {})
    assert "udf.tax" in caught.value.message


def test_a_udf_runs_from_the_sources_in_the_parameters() -> None:
    udfs = {UDF_PARAMETER: {"tax": "function (p) { return p * 2; }"}}
    assert compile_query("SELECT VALUE udf.tax(c.price) FROM c").run([{"price": 4}], udfs) == [8]


COMPILE_ERRORS = [
    ("SELECT x.id FROM c", "Identifier 'x'"),
    ("SELECT * FROM root r WHERE root.id = '1'", "Identifier 'root'"),
    ("SELECT VALUE t FROM c", "Identifier 't'"),
    ("SELECT VALUE FOO(1)", "'FOO' is not a recognized built-in function"),
    ("SELECT VALUE ABS(1, 2)", "ABS"),
    ("SELECT VALUE CONCAT('a')", "CONCAT"),
    ("SELECT * FROM c WHERE COUNT(1) > 1", "COUNT"),
    ("SELECT VALUE SUM(COUNT(1)) FROM c", "COUNT"),
    ("SELECT c.id, COUNT(1) AS n FROM c GROUP BY c.team", "'c'"),
    ("SELECT c.id, COUNT(1) FROM c", "GROUP BY"),
    ("SELECT * FROM c JOIN t IN c.tags", "single input set"),
    ("SELECT *", "FROM clause"),
    ("SELECT * FROM c GROUP BY c.team", "GROUP BY"),
    ("SELECT c.team, COUNT(1) FROM c GROUP BY c.team ORDER BY c.team", "ORDER BY"),
    ("SELECT c.id, c.id FROM c", "Duplicate property name 'id'"),
    ("SELECT TOP 1.5 * FROM c", "non-negative integer"),
    ("SELECT * FROM c OFFSET 1.5 LIMIT 1", "non-negative integer"),
]


@pytest.mark.parametrize(("query", "named"), COMPILE_ERRORS, ids=[q for q, _ in COMPILE_ERRORS])
def test_invalid_queries_are_rejected_at_compile_time(query: str, named: str) -> None:
    with pytest.raises(QueryCompileError) as caught:
        compile_query(query)
    assert named in caught.value.message


def test_undeclared_parameter_is_reported_even_without_documents() -> None:
    query = compile_query("SELECT * FROM c WHERE c.id = @id AND EXISTS(SELECT VALUE t FROM t IN c.tags WHERE t = @tag)")
    assert query.parameters == {"@id", "@tag"}
    with pytest.raises(QueryRuntimeError) as caught:
        query.run([], {"@id": "1"})
    assert "@tag" in caught.value.message
    assert query.run([{"id": "1", "tags": ["a"]}], {"@id": "1", "@tag": "a"}) == [{"id": "1", "tags": ["a"]}]


@pytest.mark.parametrize("value", ["5", -1, 1.5, None, True])
def test_top_parameter_must_be_a_non_negative_integer(value: object) -> None:
    query = compile_query("SELECT TOP @n * FROM c")
    with pytest.raises(QueryRuntimeError, match="non-negative integer"):
        query.run([{"id": "1"}], {"@n": value})


def test_every_error_is_a_query_error_with_a_message() -> None:
    for error_type in (QuerySyntaxError, UnsupportedQueryError, QueryCompileError, QueryRuntimeError):
        assert issubclass(error_type, QueryError)
    error = QueryError("Bad thing", 3, "ab\ncdef")
    assert error.message == str(error) == "Bad thing (at position 3, line 2, column 1)"
    assert QueryError("No position").position is None
