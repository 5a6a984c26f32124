"""The scripted server's token estimate, on the OpenAI wire JSON: the same rule as Switchboard's scripted client.

The emulators never import the product, so the rule is written twice (here and in
`switchboard/models/token_estimate.py`); a test feeds both the same conversation and compares. The rule: a text of
n characters counts ceil(n / 4) tokens (none when empty). The prompt's text is every message's content followed by
the arguments of the tool calls it carries, in order; the completion's text is the reply's content followed by its
tool calls' arguments.
"""

from __future__ import annotations

from typing import Any


def estimate_tokens(text: str) -> int:
    """About four characters per token: ceil(len / 4), 0 for an empty text."""
    return (len(text) + 3) // 4


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: only the text ones count
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _arguments(calls: Any) -> str:
    if not isinstance(calls, list):
        return ""
    return "".join(
        str(call.get("function", {}).get("arguments", ""))
        for call in calls
        if isinstance(call, dict) and isinstance(call.get("function"), dict)
    )


def prompt_tokens(messages: Any) -> int:
    """The prompt estimate of a request's `messages`."""
    if not isinstance(messages, list):
        return 0
    text = "".join(
        _content_text(m.get("content")) + _arguments(m.get("tool_calls")) for m in messages if isinstance(m, dict)
    )
    return estimate_tokens(text)


def completion_tokens(content: str | None, calls: list[dict[str, Any]]) -> int:
    """The completion estimate of a reply: its content, then its tool calls' arguments."""
    return estimate_tokens((content or "") + _arguments(calls))
