"""Full-text functions. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/fulltextcontains (and -all, -any).

Matching uses the emulator's documented English analyzer (`text_analysis`): a term matches when its
stemmed tokens occur, in order, among the field's stemmed tokens. `FullTextScore` and `RRF` are not
here: they are valid only in `ORDER BY RANK`, which `query.ranking` compiles. The underscore functions
are what query plans send to each partition (Azure's names): `_FullTextWordCount(field)` counts a
field's tokens and `_FullTextScore(field, [terms], N, totalWords, [hits])` is BM25 with the statistics
the SDK gathered over every partition.
"""

from __future__ import annotations

from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.functions.text_analysis import bm25, phrase_count, tokens
from local_emulators.cosmos.query.values import UNDEFINED, is_number


def _full_text_contains(field: Any, text: Any) -> Any:
    if not isinstance(field, str) or not isinstance(text, str):
        return UNDEFINED
    return phrase_count(tokens(field), tokens(text)) > 0


def _match(field: Any, terms: tuple[Any, ...], require_all: bool) -> Any:
    if not isinstance(field, str) or not all(isinstance(term, str) for term in terms):
        return UNDEFINED
    words = tokens(field)
    found = (phrase_count(words, tokens(term)) > 0 for term in terms)
    return all(found) if require_all else any(found)


def _word_count(field: Any) -> Any:
    return len(tokens(field)) if isinstance(field, str) else UNDEFINED


def _score(field: Any, terms: Any, doc_count: Any, total_words: Any, hits: Any) -> Any:
    if isinstance(terms, str):
        terms = [terms]
    valid = (
        isinstance(field, str)
        and isinstance(terms, list)
        and all(isinstance(term, str) for term in terms)
        and is_number(doc_count)
        and is_number(total_words)
        and isinstance(hits, list)
        and all(is_number(hit) for hit in hits)
    )
    if not valid:
        return UNDEFINED
    return bm25(tokens(field), [tokens(term) for term in terms], int(doc_count), int(total_words), hits)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("FULLTEXTCONTAINS", 2, 2, _full_text_contains),
    spec("FULLTEXTCONTAINSALL", 2, None, lambda field, *terms: _match(field, terms, True)),
    spec("FULLTEXTCONTAINSANY", 2, None, lambda field, *terms: _match(field, terms, False)),
    spec("_FULLTEXTWORDCOUNT", 1, 1, _word_count),
    spec("_FULLTEXTSCORE", 5, 5, _score),
)
