"""The scripted client and the scripted server estimate tokens by one rule, to the token."""

from __future__ import annotations

from typing import Any

from local_emulators.openai import token_estimate as server
from switchboard.models import token_estimate as client
from switchboard.models.chat import AssistantMessage, SystemMessage, ToolCall, ToolResultMessage, UserMessage
from switchboard.models.openai_client import _to_wire

CONVERSATION = (
    SystemMessage(content="You research. Use the search tool first."),
    UserMessage(content="How does Switchboard make effects happen once? ünïcödé"),
    AssistantMessage(content=None, tool_calls=(ToolCall(id="c1", name="search_notes", arguments='{"query": "once"}'),)),
    ToolResultMessage(tool_call_id="c1", name="search_notes", content='[{"title": "Inbox and outbox"}]'),
    AssistantMessage(content="Inbox marks make redeliveries harmless."),
)


def test_the_prompt_estimate_is_the_same_on_both_sides_of_the_wire() -> None:
    wire: list[dict[str, Any]] = [_to_wire(m) for m in CONVERSATION]
    expected = client.estimate_tokens(client.prompt_text(CONVERSATION))
    assert expected > 20
    assert server.prompt_tokens(wire) == expected


def test_the_completion_estimate_counts_content_and_arguments_alike() -> None:
    calls = (ToolCall(id="c2", name="search_notes", arguments='{"query": "duplicate detection"}'),)
    function = {"name": "search_notes", "arguments": calls[0].arguments}
    wire_calls = [{"id": "c2", "type": "function", "function": function}]
    for content in ("Plan: 1. look", None, ""):
        expected = client.estimate_tokens(client.completion_text(content, calls))
        assert server.completion_tokens(content, wire_calls) == expected
    assert client.estimate_tokens("") == server.estimate_tokens("") == 0
    assert client.estimate_tokens("abcde") == server.estimate_tokens("abcde") == 2
