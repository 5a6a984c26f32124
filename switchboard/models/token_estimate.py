"""The scripted model's token estimate: one rule, also implemented by the scripted model server.

`local_emulators/openai/token_estimate.py` applies the same rule to the OpenAI wire JSON (the product and the
emulators never import each other), so a team replaying a script in-process (`ScriptedModelClient`) and through the
server (`--model scripted` serverless) reports the same tokens to the token. A test feeds both the same
conversation.

The rule: a text of n characters counts ceil(n / 4) tokens (none when empty). The prompt's text is every message's
content followed by the arguments of the tool calls it carries, in order; the completion's text is the reply's
content followed by its tool calls' arguments.
"""

from __future__ import annotations

from collections.abc import Iterable

from switchboard.models.chat import AssistantMessage, ChatMessage, ToolCall


def estimate_tokens(text: str) -> int:
    """About four characters per token: ceil(len / 4), 0 for an empty text."""
    return (len(text) + 3) // 4


def prompt_text(messages: Iterable[ChatMessage]) -> str:
    """The text the prompt estimate counts: contents, each followed by its tool calls' arguments."""
    parts: list[str] = []
    for message in messages:
        parts.append(message.content or "")
        if isinstance(message, AssistantMessage):
            parts.extend(call.arguments for call in message.tool_calls)
    return "".join(parts)


def completion_text(content: str | None, calls: Iterable[ToolCall]) -> str:
    """The text the completion estimate counts: the content, then each call's arguments."""
    return (content or "") + "".join(call.arguments for call in calls)
