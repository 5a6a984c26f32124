"""The model-client adapter on the `openai` SDK: Azure OpenAI, OpenAI, and any OpenAI-compatible `/v1` server.

This is the only module that imports `openai` and `azure.identity`. The SDK's own retries are off; ours
(`retry.py`) honour Retry-After and map failures to typed errors, so hosts decide by type.
"""

from __future__ import annotations

import asyncio
from typing import Any

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI

from switchboard.agent.declarative import Declarative
from switchboard.models.agent_models import agent_endpoint
from switchboard.models.chat import (
    AssistantMessage,
    ChatMessage,
    ModelRequest,
    ModelResponse,
    SystemMessage,
    ToolCall,
    ToolResultMessage,
    Usage,
)
from switchboard.models.errors import (
    ModelError,
    ModelRateLimitedError,
    ModelRequestRejectedError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from switchboard.models.retry import RetryPolicy, call_with_retries, log_retry, parse_retry_after
from switchboard.models.settings import ModelEndpoint, TokenPrice
from switchboard.models.usage import UsageLedger

AGENT_HEADER = "x-switchboard-agent"
"""Names the calling agent; the scripted server keys its replies on it, real endpoints ignore it."""
RUN_HEADER = "x-switchboard-run"
STEP_HEADER = "x-switchboard-step"
"""With `RUN_HEADER`, the request's step (`ModelRequest.step`): the scripted server answers per step."""


class OpenAIChatClient(Declarative):
    """A `ModelClient` over the OpenAI SDK's chat completions API."""

    def __init__(self, endpoint: ModelEndpoint, *, retry: RetryPolicy | None = None) -> None:
        """Build the SDK client for `endpoint` (no network traffic until the first call)."""
        self._endpoint = endpoint
        self._retry = retry or RetryPolicy(max_attempts=endpoint.max_attempts)
        self._credential: Any = None
        self._sdk = self._build_sdk(endpoint)
        self.usage = UsageLedger()

    @property
    def model_name(self) -> str:
        """The model or Azure deployment name."""
        return self._endpoint.model

    @property
    def price(self) -> TokenPrice | None:
        """The endpoint's configured price, if any (telemetry prices calls by it)."""
        return self._endpoint.price

    def _build_sdk(self, endpoint: ModelEndpoint) -> AsyncOpenAI:
        key = endpoint.api_key.get_secret_value() if endpoint.api_key else None
        if endpoint.kind == "azure":
            if key:
                return AsyncAzureOpenAI(
                    azure_endpoint=endpoint.base_url or "",
                    api_key=key,
                    api_version=endpoint.api_version,
                    max_retries=0,
                )
            # Imported here so a key-only or local setup never loads azure-identity.
            from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider

            self._credential = DefaultAzureCredential()
            provider = get_bearer_token_provider(self._credential, "https://cognitiveservices.azure.com/.default")
            return AsyncAzureOpenAI(
                azure_endpoint=endpoint.base_url or "",
                azure_ad_token_provider=provider,
                api_version=endpoint.api_version,
                max_retries=0,
            )
        # Local servers ignore the key but the SDK insists on one.
        return AsyncOpenAI(base_url=endpoint.base_url, api_key=key or "not-needed", max_retries=0)

    async def create(self, request: ModelRequest) -> ModelResponse:
        """Run one chat completion with retries and the per-call timeout.

        Raises:
            ModelError: A typed failure (rate limit, timeout, unavailable, rejected request).
        """
        response = await call_with_retries(lambda: self._attempt(request), self._retry, on_retry=log_retry)
        self.usage.record(request.agent, response.usage, self.model_name)
        return response

    async def _attempt(self, request: ModelRequest) -> ModelResponse:
        params = self._params(request)
        timeout = self._endpoint.timeout
        try:
            # The SDK timeout bounds each HTTP phase; wait_for bounds the whole call.
            completion = await asyncio.wait_for(
                self._sdk.chat.completions.create(**params, timeout=timeout), timeout=timeout + 1.0
            )
        except (TimeoutError, openai.APITimeoutError) as error:
            raise ModelTimeoutError(f"model call exceeded {timeout:.0f}s") from error
        except openai.APIConnectionError as error:
            raise ModelUnavailableError(f"cannot reach the model endpoint: {type(error).__name__}") from error
        except openai.APIStatusError as error:
            raise _status_error(error) from error
        return _to_response(completion)

    def _params(self, request: ModelRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self._endpoint.model,
            "messages": [_to_wire(message) for message in request.messages],
            "extra_headers": _step_headers(request),
        }
        if request.tools:
            params["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in request.tools
            ]
            params["tool_choice"] = (
                request.tool_choice
                if request.tool_choice in ("auto", "required", "none")
                else {"type": "function", "function": {"name": request.tool_choice}}
            )
        if request.response_format is not None:
            fmt = request.response_format
            if self._endpoint.json_mode == "json_object":
                params["response_format"] = {"type": "json_object", "schema": fmt.json_schema}
            else:
                params["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": fmt.name, "schema": fmt.json_schema, "strict": False},
                }
        # The endpoint's cap lowers an agent's own limit; its temperature applies where the agent sets none.
        caps = [limit for limit in (request.max_tokens, self._endpoint.max_tokens) if limit is not None]
        if caps:
            params["max_tokens"] = min(caps)
        temperature = request.temperature if request.temperature is not None else self._endpoint.temperature
        if temperature is not None:
            params["temperature"] = temperature
        return params

    async def close(self) -> None:
        """Close the HTTP pool and, for Entra ID, the credential."""
        await self._sdk.close()
        if self._credential is not None:
            await self._credential.close()


def _step_headers(request: ModelRequest) -> dict[str, str]:
    # Ids only (no content, no secrets): harmless to real endpoints, the scripted server's replay key.
    step = request.step
    if step is None:
        return {AGENT_HEADER: request.agent}
    return {AGENT_HEADER: step.agent, RUN_HEADER: step.run_id, STEP_HEADER: str(step.index)}


def _status_error(error: openai.APIStatusError) -> ModelError:
    status = error.status_code
    retry_after = parse_retry_after(
        error.response.headers.get("retry-after-ms") and f"{error.response.headers['retry-after-ms']}ms"
    ) or parse_retry_after(error.response.headers.get("retry-after"))
    if status == 429:
        return ModelRateLimitedError("model endpoint throttled the call (HTTP 429)", retry_after=retry_after)
    if status >= 500 or status == 408:
        return ModelUnavailableError(f"model endpoint failed (HTTP {status})", retry_after=retry_after)
    return ModelRequestRejectedError(f"model endpoint rejected the request (HTTP {status}): {_error_text(error)}")


def _error_text(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        detail = body.get("error", body)
        if isinstance(detail, dict) and isinstance(detail.get("message"), str):
            return str(detail["message"])[:300]
    return error.message[:300]


def _to_wire(message: ChatMessage) -> dict[str, Any]:
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": message.content}
    if isinstance(message, AssistantMessage):
        # An empty string, not null: llama.cpp's server rejects a null content next to tool calls.
        wire: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
        if message.tool_calls:
            wire["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in message.tool_calls
            ]
        return wire
    if isinstance(message, ToolResultMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    return {"role": "user", "content": message.content}


def _to_response(completion: Any) -> ModelResponse:
    choice = completion.choices[0]
    calls = tuple(
        ToolCall(id=c.id or f"call_{i}", name=c.function.name, arguments=c.function.arguments or "{}")
        for i, c in enumerate(choice.message.tool_calls or ())
        if getattr(c, "function", None) is not None
    )
    usage = completion.usage
    return ModelResponse(
        content=choice.message.content,
        tool_calls=calls,
        finish_reason=choice.finish_reason or "stop",
        usage=Usage(
            prompt_tokens=(usage.prompt_tokens or 0) if usage else 0,
            completion_tokens=(usage.completion_tokens or 0) if usage else 0,
        ),
        model=completion.model or "",
    )


def settings_agent_client(agent: str) -> OpenAIChatClient | None:
    """The client `agent`'s own `MODEL__<AGENT>__*` settings describe, or None when it has none (see `agent_models`).

    Raises:
        ModelNotConfiguredError: The agent's settings are misspelt, invalid or add up to no endpoint.
    """
    endpoint = agent_endpoint(agent)
    return OpenAIChatClient(endpoint) if endpoint is not None else None
