"""`Console`: print a team's `run_stream` as it happens and return its result, as AutoGen's `Console` does.

It reads the stream by shape rather than by type, so it sits below the teams layer: an item with a `messages`
attribute is the run's result (the stream's last item), anything with `source` and `to_text()` is a message.
The header line per message is AutoGen's (`---------- TextMessage (writer) ----------`), with the message kind
mapped to AutoGen's class name, so a script's console output reads the same after its imports are swapped.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from typing import Any, TextIO, TypeVar

T = TypeVar("T")

_KIND_NAMES = {
    "task": "TextMessage",
    "text": "TextMessage",
    "structured": "StructuredMessage",
    "tool_summary": "ToolCallSummaryMessage",
    "handoff": "HandoffMessage",
    "stop": "StopMessage",
}


async def Console(  # noqa: N802 - AutoGen's name, so scripts run with only their imports changed
    stream: AsyncIterator[T],
    *,
    output_stats: bool = False,
    no_inline_images: bool = False,
    output: TextIO | None = None,
) -> T:
    """Print each message of `stream` as it arrives and return the stream's last item (the run's result).

    Args:
        stream: A team's `run_stream(...)`.
        output_stats: Also print each message's tokens and, at the end, a summary (as AutoGen does).
        no_inline_images: Accepted for AutoGen compatibility; nothing here renders images.
        output: Where to print (standard output by default).

    Returns:
        The last item of the stream: the `TeamResult` of a `run_stream`.

    Raises:
        ValueError: The stream yielded nothing.
    """
    del no_inline_images
    out = output or sys.stdout
    started = time.monotonic()
    prompt_tokens = completion_tokens = 0
    last: T | None = None
    async for item in stream:
        last = item
        if hasattr(item, "messages"):
            if output_stats:
                out.write(_summary(item, prompt_tokens, completion_tokens, time.monotonic() - started))
            continue
        kind = _KIND_NAMES.get(str(getattr(item, "kind", "text")), "TextMessage")
        out.write(f"{'-' * 10} {kind} ({getattr(item, 'source', '?')}) {'-' * 10}\n{_text(item)}\n")
        usage = getattr(item, "usage", None)
        if output_stats and usage is not None and (usage.prompt_tokens or usage.completion_tokens):
            out.write(f"[Prompt tokens: {usage.prompt_tokens}, Completion tokens: {usage.completion_tokens}]\n")
        if usage is not None:
            prompt_tokens += usage.prompt_tokens
            completion_tokens += usage.completion_tokens
        out.flush()
    if last is None:
        raise ValueError("Console: the stream yielded nothing")
    return last


def _text(item: Any) -> str:
    to_text = getattr(item, "to_text", None)
    return str(to_text()) if callable(to_text) else str(getattr(item, "content", item))


def _summary(result: Any, prompt_tokens: int, completion_tokens: int, seconds: float) -> str:
    return (
        f"{'-' * 10} Summary {'-' * 10}\n"
        f"Number of messages: {len(result.messages)}\n"
        f"Finish reason: {result.stop_reason}\n"
        f"Total prompt tokens: {prompt_tokens}\n"
        f"Total completion tokens: {completion_tokens}\n"
        f"Duration: {seconds:.2f} seconds\n"
    )
