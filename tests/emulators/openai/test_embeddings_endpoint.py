"""The scripted server's `/v1/embeddings` through the real `openai` SDK, via `OpenAIEmbeddingClient`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import AsyncOpenAI
from pydantic import SecretStr

from switchboard.memory import MemoryInputError
from switchboard.memory.embeddings import EmbeddingSettings, embedding_client
from switchboard.memory.openai_embeddings import OpenAIEmbeddingClient
from switchboard.models.settings import ModelEndpoint
from tests.support.processes import ServerProcess, free_port, start_python_module


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"agents": {}}))
    port = free_port()
    proc = start_python_module(
        "local_emulators.openai", ["--script", str(script), "--port", str(port)], port=port, log_path=tmp_path / "log"
    )
    yield proc
    proc.stop()


def _endpoint(port: int) -> ModelEndpoint:
    return ModelEndpoint(
        kind="compatible",
        model="text-embedding-3-small",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=SecretStr("k"),
        timeout=5,
        max_attempts=2,
    )


async def test_vectors_are_deterministic_unit_length_and_share_words(server: ServerProcess) -> None:
    client = OpenAIEmbeddingClient(_endpoint(server.port), dimensions=64)
    first = await client.embed(["solar panels pay back", "solar panels pay back", "a recipe for lasagna"])
    again = await client.embed(["solar panels pay back"])
    await client.close()
    assert client.dimensions == 64
    assert [len(v) for v in first] == [64, 64, 64]
    assert first[0] == first[1] == again[0]
    assert abs(sum(x * x for x in first[0]) - 1.0) < 1e-6

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    close = await OpenAIEmbeddingClient(_endpoint(server.port), dimensions=64).embed(["solar panels pay off"])
    assert cos(first[0], close[0]) > cos(first[0], first[2])


async def test_the_sdks_default_base64_encoding_decodes_to_the_same_vector(server: ServerProcess) -> None:
    sdk = AsyncOpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="k")
    default = await sdk.embeddings.create(model="m", input="hello world")  # the SDK asks for base64
    floats = await sdk.embeddings.create(model="m", input="hello world", encoding_format="float")
    await sdk.close()
    assert len(default.data[0].embedding) == 1536
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)


async def test_settings_pick_the_endpoint_and_learn_its_dimensions(server: ServerProcess) -> None:
    settings = EmbeddingSettings.model_validate(
        {"openai_base_url": f"http://127.0.0.1:{server.port}/v1", "openai_embedding_model": "text-embedding-3-small"}
    )
    client = embedding_client(settings)
    assert isinstance(client, OpenAIEmbeddingClient)
    (vector,) = await client.embed(["default size"])
    assert len(vector) == client.dimensions == 1536


async def test_bad_input_is_a_clear_error_not_a_retry(server: ServerProcess) -> None:
    client = OpenAIEmbeddingClient(_endpoint(server.port), dimensions=5000)
    with pytest.raises(MemoryInputError, match="dimensions"):
        await client.embed(["too many dimensions"])
    with pytest.raises(MemoryInputError, match="empty"):
        await client.embed(["fine", " "])
