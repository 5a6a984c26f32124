"""The query engine's vector, full-text and hybrid search, in process, against `tests.support.search_oracle`."""

from __future__ import annotations

import random
from typing import Any

import pytest

from local_emulators.cosmos.query import QueryCompileError, QueryRuntimeError, QuerySyntaxError, compile_query
from local_emulators.cosmos.query.functions.text_analysis import tokens
from local_emulators.cosmos.query.functions.vector import vector_distance
from local_emulators.cosmos.query.values import UNDEFINED, sort_key
from tests.support import search_oracle as oracle


def _policy(distance: str, dimensions: int = 3) -> dict[str, Any]:
    return {
        "vectorEmbeddings": [
            {"path": "/v", "dataType": "float32", "distanceFunction": distance, "dimensions": dimensions}
        ]
    }


def _documents(seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = [
        {"id": f"d{i}", "_rid": f"r{i:02d}", "v": [rng.choice([-1, 0, 1, 0.5]) for _ in range(3)]} for i in range(40)
    ]
    # Vectors the engine must score undefined: wrong length, not numbers, missing, all zeros (cosine NaN).
    docs += [
        {"id": "short", "v": [1, 2]},
        {"id": "text", "v": ["a", "b", "c"]},
        {"id": "none"},
        {"id": "zero", "v": [0, 0, 0]},
    ]
    return docs


@pytest.mark.parametrize("distance", ["cosine", "dotproduct", "euclidean"])
def test_batched_vector_order_equals_a_stable_sort_of_scalar_scores(distance: str) -> None:
    docs = _documents()
    query = [0.5, -1, 1]
    compiled = compile_query("SELECT VALUE c.id FROM c ORDER BY VectorDistance(c.v, @q)", _policy(distance))
    assert compiled.run(docs, {"@q": query}) == _scalar_order(docs, query, distance)
    assert compiled.run(docs, {"@q": query}) == _scalar_order(docs, query, distance)  # the cached matrix
    docs[0] = {**docs[0], "v": [9, 9, -9]}  # a replaced document holds a new list: scored afresh
    assert compiled.run(docs, {"@q": query}) == _scalar_order(docs, query, distance)


def _scalar_order(docs: list[dict[str, Any]], query: list[float], distance: str) -> list[str]:
    options = {"distanceFunction": distance}
    scalar = [(sort_key(vector_distance(d.get("v", UNDEFINED), query, False, options)), d["id"]) for d in docs]
    return [key for _, key in sorted(scalar, key=lambda pair: pair[0], reverse=distance != "euclidean")]


def test_the_policy_decides_the_distance_unless_the_query_names_one() -> None:
    docs = [{"id": "near", "v": [1, 0, 0]}, {"id": "long", "v": [10, 10, 0]}]
    plain = "SELECT VALUE c.id FROM c ORDER BY VectorDistance(c.v, [1, 0, 0])"
    assert compile_query(plain, _policy("dotproduct")).run(docs) == ["long", "near"]
    assert compile_query(plain, _policy("euclidean")).run(docs) == ["near", "long"]
    assert compile_query(plain, _policy("cosine")).run(docs) == ["near", "long"]
    named = (
        "SELECT VALUE c.id FROM c ORDER BY VectorDistance(c.v, [1, 0, 0], false, {'distanceFunction': 'dotproduct'})"
    )
    assert compile_query(named, _policy("euclidean")).run(docs) == ["long", "near"]
    data_type_only = "SELECT VALUE VectorDistance(c.v, [1, 0, 0], true, {'dataType': 'float32'}) FROM c"
    assert compile_query(data_type_only, _policy("euclidean")).run(docs) == [0, pytest.approx(181**0.5)]


def test_a_query_vector_of_another_length_scores_undefined() -> None:
    compiled = compile_query(
        "SELECT c.id, VectorDistance(c.v, @q) AS s FROM c ORDER BY VectorDistance(c.v, @q)", _policy("cosine")
    )
    assert compiled.run([{"id": "a", "v": [1, 0, 0]}], {"@q": [1, 2, 3, 4]}) == [{"id": "a"}]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("SELECT * FROM c ORDER BY VectorDistance(c.v, [1]) ASC", "with VectorDistance function is not supported"),
        ("SELECT * FROM c ORDER BY RANK FullTextScore(c.t, 'a') DESC", "in the ORDER BY RANK clause is not allowed"),
    ],
)
def test_a_written_sort_order_is_refused_where_azure_refuses_it(query: str, named: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(query)
    assert named in caught.value.message


def test_a_term_of_several_words_is_a_phrase() -> None:
    rows = [
        {"id": "both", "_rid": "1", "text": "born in the United States"},
        {"id": "one", "_rid": "2", "text": "the United Kingdom"},
        {"id": "none", "_rid": "3", "text": "a parabolic reflector"},
    ]
    query = "SELECT VALUE c.id FROM c ORDER BY RANK FullTextScore(c.text, 'United States')"
    scores = compile_query(query).run(rows)
    assert scores[0] == "both"
    assert set(scores[1:]) == {"one", "none"}  # both score 0: only the whole phrase counts


def test_the_english_analyzer_lower_cases_splits_and_stems() -> None:
    assert list(tokens("Running DOGS, swims; parties & classes jumped")) == [
        "run",
        "dog",
        "swim",
        "party",
        "class",
        "jump",
    ]
    assert list(tokens("bus is cat")) == ["bus", "is", "cat"]


CORPUS = {
    "a": "fox owl fox cat",
    "b": "owl owl owl dog sun sea red",
    "c": "cat dog",
    "d": "fox",
    "e": "sea sun red ant bee elk cat dog",
}


def _rows() -> list[dict[str, Any]]:
    return [{"id": key, "_rid": f"r{key}", "text": text, "v": [len(text), ord(key)]} for key, text in CORPUS.items()]


def test_full_text_score_is_bm25_over_all_documents_in_scope() -> None:
    compiled = compile_query(
        "SELECT VALUE c.id FROM c WHERE c.id != 'b' ORDER BY RANK FullTextScore(c.text, 'fox', 'owl')"
    )
    found = compiled.run(_rows())
    expected = oracle.bm25_scores(CORPUS, ["fox", "owl"])  # statistics include 'b', which WHERE drops
    del expected["b"]
    assert oracle.values_of(found, expected) == pytest.approx(oracle.top_values(expected, 4))
    assert found[:2] == ["a", "d"]


def test_full_text_score_takes_terms_as_strings_or_one_array() -> None:
    both = [
        compile_query(f"SELECT VALUE c.id FROM c ORDER BY RANK FullTextScore(c.text, {terms})").run(_rows())
        for terms in ("'sea', 'cat'", "['sea', 'cat']")
    ]
    assert both[0] == both[1]


@pytest.mark.parametrize("weights", [None, [3, 1], [1, -1]])
def test_rrf_is_the_sdk_fusion_of_dense_ranks(weights: list[float] | None) -> None:
    written = "" if weights is None else f", {weights}"
    rank = f"RRF(FullTextScore(c.text, 'dog'), VectorDistance(c.v, [20, 100]){written})"
    query = f"SELECT VALUE c.id FROM c ORDER BY RANK {rank}"
    found = compile_query(query, _policy("euclidean", 2)).run(_rows())
    used = weights or [1, 1]
    text = oracle.bm25_scores(CORPUS, ["dog"])
    vector = {row["id"]: oracle.distance(row["v"], [20, 100], "euclidean") for row in _rows()}
    fused = oracle.rrf([oracle.dense_ranks(text, True), oracle.dense_ranks(vector, used[1] < 0)], used)
    assert oracle.values_of(found, fused) == pytest.approx(oracle.top_values(fused, len(CORPUS)))


def test_countif_counts_rows_whose_condition_is_true() -> None:
    query = "SELECT COUNTIF(FullTextContains(c.text, 'owl')) AS owls, COUNTIF(c.missing) AS none FROM c"
    assert compile_query(query).run(_rows()) == [{"owls": 2, "none": 0}]


RANK_ERRORS: list[tuple[str, type[Exception], str]] = [
    ("SELECT FullTextScore(c.text, 'a') FROM c", QueryCompileError, "ORDER BY RANK"),
    ("SELECT * FROM c WHERE RRF(FullTextScore(c.text, 'a')) > 0", QueryCompileError, "ORDER BY RANK"),
    ("SELECT * FROM c ORDER BY FullTextScore(c.text, 'a')", QueryCompileError, "ORDER BY RANK"),
    ("SELECT * FROM c ORDER BY RANK c.n", QueryCompileError, "FullTextScore or RRF"),
    ("SELECT * FROM c ORDER BY RANK RRF(c.n, c.m)", QueryCompileError, "RRF arguments"),
    ("SELECT * FROM c ORDER BY RANK FullTextScore(c.text)", QueryCompileError, "at least one term"),
    ("SELECT * FROM c ORDER BY RANK FullTextScore(c.text, c.word)", QueryCompileError, "literals or parameters"),
    (
        "SELECT * FROM c ORDER BY RANK RRF(FullTextScore(c.text, 'a'), VectorDistance(c.v, [1]), c.w)",
        QueryCompileError,
        "array literal or a parameter",
    ),
    ("SELECT * FROM c ORDER BY RANK RRF()", QueryCompileError, "at least one"),
    (
        "SELECT * FROM c WHERE EXISTS(SELECT VALUE 1 FROM c ORDER BY RANK FullTextScore(c.text, 'a'))",
        QueryCompileError,
        "outermost",
    ),
    ("SELECT * FROM t IN c.tags ORDER BY RANK FullTextScore(t, 'a')", QueryCompileError, "FROM <container>"),
]


@pytest.mark.parametrize(("query", "error", "named"), RANK_ERRORS)
def test_misplaced_rank_functions_are_compile_errors(query: str, error: type[Exception], named: str) -> None:
    with pytest.raises(error) as caught:
        compile_query(query)
    assert named in str(caught.value)


def test_rrf_weights_must_match_the_components() -> None:
    compiled = compile_query(
        "SELECT * FROM c ORDER BY RANK RRF(FullTextScore(c.text, 'a'), VectorDistance(c.v, [1]), [1])"
    )
    with pytest.raises(QueryRuntimeError) as caught:
        compiled.run(_rows())
    assert "array of 2 numbers" in caught.value.message


@pytest.mark.parametrize("weight", [1, -1])
def test_a_row_without_a_vector_ranks_last_in_its_component(weight: int) -> None:
    rows = [*_rows(), {"id": "novector", "_rid": "rz", "text": "dog dog dog"}]
    rank = f"RRF(FullTextScore(c.text, 'dog'), VectorDistance(c.v, [20, 100]), [1, {weight}])"
    found = compile_query(f"SELECT VALUE c.id FROM c ORDER BY RANK {rank}", _policy("euclidean", 2)).run(rows)
    text = oracle.bm25_scores({row["id"]: row["text"] for row in rows}, ["dog"])
    distances = {row["id"]: oracle.distance(row["v"], [20, 100], "euclidean") for row in rows if "v" in row}
    ascending = weight > 0  # nearest first; a negative weight reverses the component
    distances["novector"] = 1.79769e308 if ascending else -1.79769e308  # the plan's default: always last
    fused = oracle.rrf([oracle.dense_ranks(text, True), oracle.dense_ranks(distances, not ascending)], [1, weight])
    assert oracle.values_of(found, fused) == pytest.approx(oracle.top_values(fused, len(rows)))
