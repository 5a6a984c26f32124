"""`CosmosVectorMemory` against the Cosmos emulator (a real process, the real azure-cosmos SDK) with MiniLM."""

from __future__ import annotations

from typing import Any

import pytest
from azure.cosmos.aio import CosmosClient

from switchboard.memory import (
    MemoryContent,
    MemoryInputError,
    MemoryMimeType,
    MemoryNotFoundError,
    MemoryUnavailableError,
)
from switchboard.memory.cosmos import CosmosMemoryConfig, CosmosVectorMemory
from switchboard.memory.minilm import MiniLMEmbeddingClient
from tests.emulators.cosmos.cosmos_harness import KEY as COSMOS_KEY
from tests.integration.memory.conftest import CORPUS, MemoryFactory
from tests.support.processes import free_port

pytestmark = pytest.mark.emulator


async def _load_corpus(memory: CosmosVectorMemory) -> None:
    for item in [*CORPUS["memories"], *CORPUS["keyword_distractors"]]:
        await memory.add(MemoryContent(content=item["text"], mime_type="text/plain", metadata={"doc": item["id"]}))


def _recall_at_3(found: list[list[str]], answers: list[str]) -> float:
    return sum(answer in top[:3] for top, answer in zip(found, answers, strict=True)) / len(answers)


async def _top_ids(memory: CosmosVectorMemory, queries: list[dict[str, Any]], **kwargs: Any) -> list[list[str]]:
    tops = []
    for query in queries:
        result = await memory.query(query["text"], **kwargs)
        tops.append([item.metadata["doc"] for item in result.results if item.metadata])
    return tops


async def test_recall_at_3_on_the_shipped_corpus_is_at_least_0_8(make_memory: MemoryFactory) -> None:
    memory = make_memory(k=3)
    await _load_corpus(memory)
    queries = CORPUS["queries"]
    assert len(queries) == 20
    tops = await _top_ids(memory, queries)
    recall = _recall_at_3(tops, [q["answer"] for q in queries])
    print(f"recall@3 (vector, all-MiniLM-L6-v2) = {recall:.2f} on {len(queries)} queries")
    assert recall >= 0.8


async def test_results_are_ranked_scored_and_above_the_threshold(make_memory: MemoryFactory) -> None:
    memory = make_memory(k=5, score_threshold=0.3)
    await _load_corpus(memory)
    result = await memory.query("Which food must we avoid giving Bob?")
    scores = [item.metadata["score"] for item in result.results if item.metadata]
    assert scores, "the peanut allergy memory scores well above 0.3"
    assert scores == sorted(scores, reverse=True)
    assert all(score >= 0.3 for score in scores)
    assert len(scores) < 5  # the threshold cut unrelated memories
    assert result.results[0].content == CORPUS["memories"][8]["text"]
    assert result.results[0].metadata is not None
    assert result.results[0].metadata["id"]


async def test_scopes_are_partitions_that_never_see_each_other(make_memory: MemoryFactory) -> None:
    alice, bob = make_memory("user:alice"), make_memory("user:bob")
    await alice.add(MemoryContent(content="Alice's favourite colour is green.", mime_type=MemoryMimeType.TEXT))
    await bob.add(MemoryContent(content="Bob's favourite colour is red.", mime_type=MemoryMimeType.TEXT))
    found = await alice.query("what colour does the user like?")
    assert [item.content for item in found.results] == ["Alice's favourite colour is green."]
    await alice.clear()
    assert (await alice.query("favourite colour")).results == []
    assert len((await bob.query("favourite colour")).results) == 1


async def test_metadata_filter_keeps_only_matching_memories(make_memory: MemoryFactory) -> None:
    memory = make_memory(k=10)
    await memory.add(
        MemoryContent(
            content="Report: solar pays back in 7 years.", mime_type="text/markdown", metadata={"kind": "report"}
        )
    )
    await memory.add(
        MemoryContent(
            content="Note: solar panels were cheap in 2024.", mime_type="text/plain", metadata={"kind": "note"}
        )
    )
    found = await memory.query("solar payback", filter={"kind": "report"})
    assert [item.metadata and item.metadata["kind"] for item in found.results] == ["report"]
    assert found.results[0].mime_type == "text/markdown"


async def test_json_and_bytes_contents_round_trip(make_memory: MemoryFactory) -> None:
    memory = make_memory(k=2)
    await memory.add(
        MemoryContent(content={"city": "Lisbon", "topic": "conference venue"}, mime_type=MemoryMimeType.JSON)
    )
    await memory.add(MemoryContent(content=b"binary notes about the venue", mime_type=MemoryMimeType.BINARY))
    found = await memory.query("where is the conference venue?")
    contents = [item.content for item in found.results]
    assert {"city": "Lisbon", "topic": "conference venue"} in contents
    assert b"binary notes about the venue" in contents


async def test_an_empty_query_is_a_clear_error(make_memory: MemoryFactory) -> None:
    memory = make_memory()
    with pytest.raises(MemoryInputError, match="empty"):
        await memory.query("   ")
    with pytest.raises(MemoryInputError, match="empty"):
        await memory.add(MemoryContent(content="", mime_type="text/plain"))


async def test_a_vector_of_the_wrong_dimension_is_a_clear_error_and_loses_nothing(make_memory: MemoryFactory) -> None:
    memory = make_memory()
    await memory.add(MemoryContent(content="Kept memory.", mime_type="text/plain"))
    with pytest.raises(MemoryInputError, match=r"1536 dimensions but container .* holds 384"):
        await memory.query("anything", vector=[0.1] * 1536)
    assert [item.content for item in (await memory.query("kept")).results] == ["Kept memory."]


async def test_a_missing_container_is_a_clear_error(make_memory: MemoryFactory) -> None:
    memory = make_memory(create_if_missing=False)
    with pytest.raises(MemoryNotFoundError, match="does not exist"):
        await memory.query("anything")
    with pytest.raises(MemoryNotFoundError, match="does not exist"):
        await memory.clear()


async def test_hybrid_finds_exact_identifiers_and_keeps_paraphrase_recall(make_memory: MemoryFactory) -> None:
    memory = make_memory(k=3)
    await _load_corpus(memory)
    keyword = CORPUS["keyword_queries"]
    answers = [q["answer"] for q in keyword]
    vector_tops = await _top_ids(memory, keyword, k=1)
    hybrid_tops = await _top_ids(memory, keyword, k=1, hybrid=True)
    vector_at_1 = sum(a in t for t, a in zip(vector_tops, answers, strict=True)) / len(answers)
    hybrid_at_1 = sum(a in t for t, a in zip(hybrid_tops, answers, strict=True)) / len(answers)
    paraphrases = CORPUS["queries"]
    hybrid_recall = _recall_at_3(await _top_ids(memory, paraphrases, hybrid=True), [q["answer"] for q in paraphrases])
    print(
        f"keyword recall@1: vector {vector_at_1:.2f}, hybrid {hybrid_at_1:.2f}; "
        f"paraphrase recall@3 hybrid {hybrid_recall:.2f}"
    )
    assert hybrid_at_1 == 1.0  # BM25 pins the item that holds the exact identifier or rare word
    assert vector_at_1 <= 0.6  # near-duplicate invoice numbers, weekdays and times confuse the embedding alone
    assert hybrid_recall >= 0.8  # fusing in BM25 does not cost the paraphrase queries their recall


async def test_an_unreachable_store_is_a_transient_error(minilm: MiniLMEmbeddingClient) -> None:
    port = free_port()  # nothing listens there
    # Not entered with `async with` (which would read the account at once): the memory makes the first request.
    client = CosmosClient(f"http://127.0.0.1:{port}/", credential=COSMOS_KEY, retry_total=0)
    memory = CosmosVectorMemory(CosmosMemoryConfig(scope="user:x"), client=client, embedder=minilm, owns_client=True)
    try:
        with pytest.raises(MemoryUnavailableError, match="unreachable") as caught:
            await memory.query("anything")
    finally:
        await memory.close()
    assert caught.value.retryable
