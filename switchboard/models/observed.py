"""Model and tool calls wrapped in the GenAI spans of the instrumentation port (`chat <model>`, `execute_tool <name>`).

An assistant makes these calls inside its checkpoints, so a step replayed from the journal makes no call and no span:
a run's `chat` spans are exactly the model calls it paid for (the `invoke_agent` span counts the replays instead).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from switchboard.instrumentation import current
from switchboard.models.agent_models import AgentModelClient
from switchboard.models.chat import ModelRequest, ModelResponse, ToolCall, ToolResultMessage
from switchboard.models.protocol import ModelClient
from switchboard.models.settings import TokenPrice


async def observed_chat(client: ModelClient, request: ModelRequest) -> ModelResponse:
    """`client.create(request)` inside a `chat <model>` span with usage, finish reason and estimated cost."""
    run_id = request.step.run_id if request.step is not None else ""
    if isinstance(client, AgentModelClient):
        # An agent's own model is resolved first, so the span is named after the model this agent calls.
        client = await client.resolve()
    with current().chat(
        agent=request.agent, run_id=run_id, model=client.model_name, input=lambda: _messages(request)
    ) as span:
        reply = await client.create(request)
        span.completed(
            response_model=reply.model,
            input_tokens=reply.usage.prompt_tokens,
            output_tokens=reply.usage.completion_tokens,
            finish_reason=reply.finish_reason,
            output=lambda: reply.model_dump_json(include={"content", "tool_calls"}),
            # A lazily resolved client knows its model only after the first call.
            request_model=client.model_name,
            price=_price(client),
        )
    return reply


async def observed_tool(
    agent: str, run_id: str, call: ToolCall, run: Callable[[], Awaitable[ToolResultMessage]]
) -> ToolResultMessage:
    """`run()` inside an `execute_tool <name>` span; a result marked as an error fails the span."""
    with current().execute_tool(
        agent=agent, run_id=run_id, tool=call.name, call_id=call.id, arguments=lambda: call.arguments
    ) as span:
        result = await run()
        if result.is_error:
            span.fail("ToolError")
    return result


def _price(client: ModelClient) -> tuple[float, float] | None:
    price = getattr(client, "price", None)
    return (price.input, price.output) if isinstance(price, TokenPrice) else None


def _messages(request: ModelRequest) -> str:
    return json.dumps([message.model_dump(mode="json", exclude_none=True) for message in request.messages])
