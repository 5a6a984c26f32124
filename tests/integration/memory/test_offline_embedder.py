"""The offline all-MiniLM-L6-v2 embedder reproduces the model and ranks by meaning."""

from __future__ import annotations

import math

from switchboard.memory.minilm import DIMENSIONS, MiniLMEmbeddingClient


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_the_model_cards_example_similarity_and_unit_vectors(minilm: MiniLMEmbeddingClient) -> None:
    food, bread, horse = await minilm.embed(
        ["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."]
    )
    assert len(food) == DIMENSIONS
    assert math.isclose(math.sqrt(_cos(food, food)), 1.0, abs_tol=1e-5)
    # sentence-transformers' published score for this pair with all-MiniLM-L6-v2 is 0.7553.
    assert math.isclose(_cos(food, bread), 0.7553, abs_tol=0.002)
    assert _cos(food, bread) > _cos(food, horse)


async def test_long_texts_are_cut_not_refused(minilm: MiniLMEmbeddingClient) -> None:
    long = " ".join(["Service Bus sessions keep one run's messages in order."] * 60)
    (vector,) = await minilm.embed([long])
    (again,) = await minilm.embed([long + " And more words past the cut."])
    assert math.isclose(_cos(vector, again), 1.0, abs_tol=1e-6)  # only the first 256 tokens count
