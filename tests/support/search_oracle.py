"""Independent reference computations for the vector, full-text and hybrid search tests.

Written from the definitions (numpy distances, BM25 with k1 = 1.2 and b = 0.75, RRF with k = 60 and dense
ranks), not from the emulator's code. The test corpus uses plain lower-case words without suffixes, so
tokenizing is splitting on spaces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

K1, B, RRF_K = 1.2, 0.75, 60


def distance(a: Sequence[float], b: Sequence[float], function: str) -> float:
    """Cosine similarity, dot product or Euclidean distance."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if function == "cosine":
        return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
    if function == "dotproduct":
        return float(x @ y)
    return float(np.linalg.norm(x - y))


def bm25_scores(texts: dict[str, str], terms: Sequence[str]) -> dict[str, float]:
    """BM25 of each document (by id) for `terms`, with statistics over all of `texts`."""
    words = {key: text.split() for key, text in texts.items()}
    count = len(words)
    average = sum(len(w) for w in words.values()) / count
    frequency = {term: sum(1 for w in words.values() if term in w) for term in terms}
    scores = {}
    for key, doc in words.items():
        score = 0.0
        for term in terms:
            tf = doc.count(term)
            if tf:
                idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / average))
        scores[key] = score
    return scores


def dense_ranks(scores: dict[str, float], descending: bool) -> dict[str, int]:
    """1-based ranks where equal scores share a rank and the next distinct score gets the next rank."""
    distinct = sorted(set(scores.values()), reverse=descending)
    position = {value: index + 1 for index, value in enumerate(distinct)}
    return {key: position[value] for key, value in scores.items()}


def rrf(rankings: list[dict[str, int]], weights: Sequence[float]) -> dict[str, float]:
    """Reciprocal Rank Fusion of per-component ranks."""
    keys = rankings[0].keys()
    return {key: sum(abs(w) / (RRF_K + ranks[key]) for ranks, w in zip(rankings, weights, strict=True)) for key in keys}


def top_values(scores: dict[str, float], k: int, descending: bool = True) -> list[float]:
    """The best k score values, in order (compared instead of ids, so ties cannot make a test flaky)."""
    return sorted(scores.values(), reverse=descending)[:k]


def values_of(ids: list[Any], scores: dict[str, float]) -> list[float]:
    """The reference score of each returned id."""
    return [scores[str(key)] for key in ids]
