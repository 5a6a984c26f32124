"""Parse JSON from the wire the way the service accepts it, turning every malformed input into a 400.

Azure Cosmos DB refuses JSON that Python's parser would take or choke on: nesting deeper than 128
levels (the service's documented per-item limit), strings holding lone UTF-16 surrogates (they cannot
be stored as UTF-8), `NaN`/`Infinity` and numbers beyond the range of a double. The checks that cost a
walk over the value run only when a cheap scan of the raw bytes says they might be needed, so ordinary
documents pay nothing extra.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from local_emulators.cosmos.errors import BadRequestError

MAX_NESTING_DEPTH = 128
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONG_DIGIT_RUN = re.compile(rb"[0-9]{300}")


def _refuse_constant(name: str) -> Any:
    raise BadRequestError(f"The JSON value {name} is not allowed: numbers must be finite.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequestError(f"The JSON number {text[:40]} is outside the range of a double.")
    return value


def _bounded_int(text: str) -> int | float:
    value = int(text)
    if len(text) > 309:
        # Larger than any double: the service cannot represent it.
        raise BadRequestError(f"The JSON number {text[:40]}... is outside the range of a double.")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests deeper than `limit` levels (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, dict | list))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return False


def parse_json(data: bytes | str, what: str = "The request body") -> Any:
    """Parse JSON text or UTF-8 bytes, or raise `BadRequestError` naming `what` was wrong.

    Args:
        data: The raw JSON.
        what: How the error message names the input ("The request body", "The partition key header").

    Returns:
        The parsed value.

    Raises:
        BadRequestError: The input is not valid UTF-8 JSON, nests deeper than 128 levels, holds a lone
            surrogate, or holds a number a double cannot represent.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    parse_int = _bounded_int if _LONG_DIGIT_RUN.search(raw) else None
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=parse_int)
    except RecursionError as exc:
        raise BadRequestError(f"{what} nests JSON deeper than {MAX_NESTING_DEPTH} levels.") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limits
        raise BadRequestError(f"{what} is not valid JSON: {str(exc)[:200]}") from exc
    if (raw.count(b"[") + raw.count(b"{") > MAX_NESTING_DEPTH) and _depth_exceeds(value, MAX_NESTING_DEPTH):
        raise BadRequestError(f"{what} nests JSON deeper than {MAX_NESTING_DEPTH} levels.")
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadRequestError(f"{what} holds a lone UTF-16 surrogate, which is not valid Unicode.") from exc
    return value
