"""Memory types in AutoGen's shapes, `ListMemory`, the WordPiece tokenizer and the container policies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from switchboard.memory import ChatBuffer, ListMemory, Memory, MemoryContent, MemoryInputError, MemoryMimeType
from switchboard.memory.vector_policy import container_policies, filter_clause, search_query, search_terms
from switchboard.memory.wordpiece import WordPieceTokenizer
from switchboard.models.chat import SystemMessage, UserMessage


def test_memory_content_is_json_all_the_way_down_bytes_included() -> None:
    item = MemoryContent(content=b"\x00\xffraw", mime_type=MemoryMimeType.BINARY, metadata={"k": 1})
    wire = item.model_dump(mode="json")
    assert wire["mime_type"] == "application/octet-stream"
    assert wire["content"] == {"__bytes__": "AP9yYXc="}
    assert MemoryContent.model_validate_json(json.dumps(wire)).content == b"\x00\xffraw"
    assert MemoryContent.model_validate(wire).content == b"\x00\xffraw"
    assert MemoryContent(content={"b": 1, "a": 2}, mime_type="application/json").as_text() == '{"a": 2, "b": 1}'


async def test_list_memory_follows_autogen_and_satisfies_the_protocol() -> None:
    memory = ListMemory()
    assert isinstance(memory, Memory)
    assert memory.name == "default_list_memory"
    context = ChatBuffer([UserMessage(content="hello")])
    empty = await memory.update_context(context)
    assert empty.memories.results == []
    assert len(context.messages) == 1  # nothing to add, nothing added
    await memory.add(MemoryContent(content="fact one", mime_type="text/plain"))
    result = await memory.update_context(context)
    assert [r.content for r in result.memories.results] == ["fact one"]
    assert context.messages[-1] == SystemMessage(
        content="\nRelevant memory content (in chronological order):\n1. fact one\n"
    )
    assert len((await memory.query("anything")).results) == 1
    await memory.clear()
    assert (await memory.query("anything")).results == []


def test_wordpiece_splits_punctuation_accents_and_unknown_pieces() -> None:
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "inv", "-", "44", "##71", "cafe", "!"])}
    tokenizer = WordPieceTokenizer(vocab, max_length=6)
    assert tokenizer.encode("INV-4471 Café!") == [2, 4, 5, 6, 7, 3]  # cut to 6 tokens with [CLS] and [SEP]
    assert WordPieceTokenizer(vocab).encode("zebra café") == [2, 1, 8, 3]


def test_policies_follow_azure_limits() -> None:
    vector, indexing, full_text = container_policies(384, "cosine", "flat")
    assert vector["vectorEmbeddings"][0] == {
        "path": "/embedding",
        "dataType": "float32",
        "distanceFunction": "cosine",
        "dimensions": 384,
    }
    assert indexing["vectorIndexes"] == [{"path": "/embedding", "type": "flat"}]
    assert indexing["fullTextIndexes"] == [{"path": "/text"}]
    assert full_text["fullTextPaths"] == [{"path": "/text", "language": "en-US"}]
    with pytest.raises(MemoryInputError, match="flat vector index takes 1 to 505"):
        container_policies(1536, "cosine", "flat")
    assert container_policies(1536, "dotproduct", "diskANN")[0]["vectorEmbeddings"][0]["dimensions"] == 1536


def test_query_text_is_parameterised_and_filters_are_checked() -> None:
    params: list[dict[str, object]] = []
    where = filter_clause({"kind": "report", "year": 2026}, params)
    assert where == " AND c.metadata.kind = @f0 AND c.metadata.year = @f1"
    with pytest.raises(MemoryInputError, match="identifier"):
        filter_clause({"a b": 1}, [])
    with pytest.raises(MemoryInputError, match="string, number or boolean"):
        filter_clause({"tags": ["x"]}, [])
    assert search_terms("What did the Q3 report find about INV-4471?") == ["q3", "report", "find", "inv", "4471"]
    sql = search_query(hybrid=True, terms=["solar", "roof"], where="", params=params)
    assert sql.endswith(
        'ORDER BY RANK RRF(VectorDistance(c.embedding, @vector), FullTextScore(c.text, "solar", "roof"))'
    )
    weighted = search_query(hybrid=True, terms=["x"], where="", params=params, weights=(1.0, 1.5))
    assert weighted.endswith(', FullTextScore(c.text, "x"), @weights)')
    assert {"name": "@weights", "value": [1.0, 1.5]} in params
    assert search_query(hybrid=False, terms=["x"], where="", params=[]).endswith(
        "ORDER BY VectorDistance(c.embedding, @vector)"
    )


def test_importing_the_package_loads_no_sdk_and_no_weights() -> None:
    code = (
        "import sys, switchboard.memory, switchboard.protocol.transcript\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('azure', 'openai', 'all_minilm_l6_v2')]\n"
        "print(loaded)"
    )
    root = Path(__file__).resolve().parents[4]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
