"""The emulator's English text analysis and BM25, shared by the full-text functions and ORDER BY RANK.

Azure Cosmos DB tokenizes and stems text per the container's full-text policy language but does not
publish its analyzer. The emulator's analyzer is small and documented (docs/emulators-cosmos-vector.md):
1. lower-case the text and split it into runs of letters, digits and underscores;
2. stem each token lightly: `ies` -> `y`, `sses` -> `ss`, a final `s` dropped (not after `s`, `u` or `i`),
   `ing` / `ed` dropped when at least three letters remain, then a doubled final consonant halved
   (`running` -> `run`, `swims` -> `swim`, `parties` -> `party`). No stop words are removed.

BM25 (`FullTextScore`) uses the common defaults k1 = 1.2 and b = 0.75 with the Lucene IDF
`ln(1 + (N - df + 0.5) / (df + 0.5))`. A term of several words ("United States") is a phrase: its term
frequency counts phrase occurrences, so a document with only some of the words scores nothing for it.
This reproduces the rankings Microsoft's own hybrid-search tests expect from Azure
(`test_query_hybrid_search.py`: a title match outranks the longest "United States" document).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence

K1 = 1.2
B = 0.75
_WORD = re.compile(r"\w+")
_VOWELS = frozenset("aeiouy")


def stem(token: str) -> str:
    """The light English stem of one lower-case token (rules in the module docstring)."""
    return _stem(token)


@functools.lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    if len(token) <= 3:
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    if token.endswith("s") and token[-2] not in "sui":
        token = token[:-1]
    for suffix in ("ing", "ed"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            root = token[: -len(suffix)]
            if not any(ch in _VOWELS for ch in root):
                break
            token = root
            if len(token) > 3 and token[-1] == token[-2] and token[-1] not in _VOWELS and token[-1] not in "lsz":
                token = token[:-1]
            break
    return token


@functools.lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """The stemmed word tokens of `text`, in order (cached: ranking analyses each field several times)."""
    return tuple(_stem(word) for word in _WORD.findall(text.lower()))


def phrase_count(haystack: Sequence[str], phrase: Sequence[str]) -> int:
    """How often the token sequence `phrase` occurs in `haystack`."""
    size = len(phrase)
    if size == 0:
        return 0
    if size == 1:
        return haystack.count(phrase[0])
    return sum(1 for i in range(len(haystack) - size + 1) if list(haystack[i : i + size]) == list(phrase))


def bm25(
    document: Sequence[str], terms: Sequence[Sequence[str]], doc_count: int, total_words: int, hits: Sequence[int]
) -> float:
    """BM25 of one tokenized document for tokenized `terms`, given corpus statistics.

    Args:
        document: The document's tokens.
        terms: Each search term's tokens.
        doc_count: Documents in the corpus (N).
        total_words: Tokens in the corpus, so the average document length is total_words / N.
        hits: For each term, how many documents contain it (its document frequency).
    """
    if doc_count <= 0 or total_words <= 0:
        return 0.0
    average = total_words / doc_count
    length_norm = K1 * (1 - B + B * len(document) / average)
    score = 0.0
    for term, frequency in zip(terms, hits, strict=False):
        tf = phrase_count(document, term)
        if tf == 0:
            continue
        idf = math.log(1 + (doc_count - frequency + 0.5) / (frequency + 0.5))
        score += idf * tf * (K1 + 1) / (tf + length_norm)
    return score
