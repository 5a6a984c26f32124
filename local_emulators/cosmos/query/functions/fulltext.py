"""Full-text predicates. Source: learn.microsoft.com/azure/cosmos-db/nosql/query/fulltextcontains.

The service tokenizes and stems per the container's full-text policy; the emulator matches lower-cased
word tokens, which agrees with it for plain words. `FullTextScore` (BM25 ranking) is not supported.
"""

from __future__ import annotations

import re
from typing import Any

from local_emulators.cosmos.query.functions.base import FunctionSpec, spec
from local_emulators.cosmos.query.values import UNDEFINED

_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _contains_phrase(haystack: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return size > 0 and any(haystack[i : i + size] == phrase for i in range(len(haystack) - size + 1))


def _full_text_contains(field: Any, text: Any) -> Any:
    if not isinstance(field, str) or not isinstance(text, str):
        return UNDEFINED
    return _contains_phrase(_tokens(field), _tokens(text))


def _match(field: Any, terms: tuple[Any, ...], require_all: bool) -> Any:
    if not isinstance(field, str) or not all(isinstance(term, str) for term in terms):
        return UNDEFINED
    words = _tokens(field)
    found = (_contains_phrase(words, _tokens(term)) for term in terms)
    return all(found) if require_all else any(found)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    spec("FULLTEXTCONTAINS", 2, 2, _full_text_contains),
    spec("FULLTEXTCONTAINSALL", 2, None, lambda field, *terms: _match(field, terms, True)),
    spec("FULLTEXTCONTAINSANY", 2, None, lambda field, *terms: _match(field, terms, False)),
)
