"""The checks every executor makes before it runs anything: blocks present, a language it runs, a bounded size."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from switchboard.code_execution.errors import CodeTooLargeError, InvalidCodeRequestError, UnsupportedLanguageError
from switchboard.code_execution.protocol import CodeBlock


def validate_blocks(
    code_blocks: Sequence[CodeBlock], languages: Collection[str], max_code_bytes: int, unsupported_hint: str
) -> None:
    """Refuse the request before anything runs, so a bad block changes nothing.

    Args:
        code_blocks: The blocks of one request.
        languages: The lower-case languages the executor runs.
        max_code_bytes: The largest block, in UTF-8 bytes.
        unsupported_hint: What the error says after "language 'x' is not supported".

    Raises:
        InvalidCodeRequestError: No blocks.
        UnsupportedLanguageError: A block's language is not one the executor runs.
        CodeTooLargeError: A block is larger than `max_code_bytes`.
    """
    if not code_blocks:
        raise InvalidCodeRequestError("no code blocks to execute")
    for block in code_blocks:
        if block.language.lower() not in languages:
            raise UnsupportedLanguageError(f"language {block.language!r} is not supported{unsupported_hint}")
        size = len(block.code.encode("utf-8"))
        if size > max_code_bytes:
            raise CodeTooLargeError(f"a code block is {size} bytes; the limit is {max_code_bytes}")
