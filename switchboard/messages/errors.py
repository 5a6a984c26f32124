"""Turning Pydantic validation errors into one-line reasons fit for a dead-letter queue."""

from __future__ import annotations

from pydantic import ValidationError

_MAX_ERRORS = 5


def summarize_validation_error(error: ValidationError) -> str:
    """Describe a validation error in one line: each failing field with its message.

    Args:
        error: The Pydantic error.

    Returns:
        For example ``"task: Field required; priority: Input should be a valid integer"``.
    """
    parts: list[str] = []
    for item in error.errors()[:_MAX_ERRORS]:
        location = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{location}: {item['msg']}")
    more = error.error_count() - _MAX_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
