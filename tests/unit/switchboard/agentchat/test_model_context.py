from __future__ import annotations

from switchboard.agentchat import BufferedModelContext, TokenLimitedModelContext, UnboundedModelContext
from switchboard.models.chat import AssistantMessage, ChatMessage, ToolCall, ToolResultMessage, UserMessage


def _history(n: int) -> list[ChatMessage]:
    return [UserMessage(content=f"message {i} " + "x" * 36) for i in range(n)]


def test_buffered_keeps_the_last_n() -> None:
    window = BufferedModelContext(3).window(_history(10))
    assert [m.content for m in window] == [f"message {i} " + "x" * 36 for i in (7, 8, 9)]
    assert len(UnboundedModelContext().window(_history(10))) == 10


def test_token_limited_keeps_the_newest_that_fit_and_always_the_last() -> None:
    history = _history(10)  # 46 characters: 12 tokens + 4 overhead = 16 each
    assert TokenLimitedModelContext(48).window(history) == history[-3:]
    assert TokenLimitedModelContext(47).window(history) == history[-2:]
    assert TokenLimitedModelContext(1).window(history) == history[-1:]


def test_windows_never_start_with_an_orphaned_tool_result() -> None:
    call = AssistantMessage(tool_calls=(ToolCall(id="c", name="t"),))
    result = ToolResultMessage(tool_call_id="c", name="t", content="r")
    history: list[ChatMessage] = [UserMessage(content="q"), call, result, AssistantMessage(content="a")]
    assert BufferedModelContext(2).window(history) == [history[3]]
    assert BufferedModelContext(3).window(history) == history[1:]
