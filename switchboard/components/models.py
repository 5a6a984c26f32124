"""Model clients and model contexts between AutoGen's component JSON and Switchboard.

`OpenAIChatCompletionClient` / `AzureOpenAIChatCompletionClient` become our `OpenAIChatClient` (a key only as a
`${SETTING}` reference, or from the usual settings when absent); `ReplayChatCompletionClient` becomes a
`ScriptedModelClient` replaying the same replies. Contexts map one to one (AutoGen's head-and-tail has no peer).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr

from switchboard.agentchat.model_context import (
    BufferedModelContext,
    ModelContext,
    TokenLimitedModelContext,
    UnboundedModelContext,
)
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Loader, want
from switchboard.components.spec import ComponentSpec, component, join, secret
from switchboard.models.openai_client import OpenAIChatClient
from switchboard.models.protocol import ModelClient
from switchboard.models.scripted import Script, ScriptedModelClient, ScriptedToolCall, ScriptEntry
from switchboard.models.settings import ModelEndpoint, ModelSettings

OPENAI = "autogen_ext.models.openai.OpenAIChatCompletionClient"
AZURE = "autogen_ext.models.openai.AzureOpenAIChatCompletionClient"
REPLAY = "autogen_ext.models.replay.ReplayChatCompletionClient"
UNBOUNDED = "autogen_core.model_context.UnboundedChatCompletionContext"
BUFFERED = "autogen_core.model_context.BufferedChatCompletionContext"
TOKEN_LIMITED = "autogen_core.model_context.TokenLimitedChatCompletionContext"
DEFAULT_MODEL_INFO = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "family": "unknown",
    "structured_output": True,
}


def load_model(loader: Loader, spec: ComponentSpec, path: str) -> ModelClient:
    """Our model client for an AutoGen model client spec (the loader's override first)."""
    if loader.model_override is not None:
        chosen = loader.model_override(spec, path)
        if chosen is not None:
            return chosen
    if spec.provider in (REPLAY, "ReplayChatCompletionClient"):
        return _replay(spec.config, path)
    config = spec.config
    model = want(config, "model", str, path)
    if not model:
        raise ComponentError(join(path, "model"), "a model name is required")
    key = secret(config, "api_key", path)
    settings = ModelSettings()
    azure = spec.provider in (AZURE, "AzureOpenAIChatCompletionClient")
    if azure:
        endpoint = want(config, "azure_endpoint", str, path) or settings.azure_openai_endpoint
        if not endpoint:
            raise ComponentError(join(path, "azure_endpoint"), "the Azure OpenAI endpoint is required")
        deployment = want(config, "azure_deployment", str, path) or model
        return OpenAIChatClient(
            ModelEndpoint(
                kind="azure",
                model=deployment,
                base_url=endpoint,
                api_key=SecretStr(key) if key else settings.azure_openai_api_key,
                api_version=want(config, "api_version", str, path, settings.openai_api_version),
            )
        )
    base_url = want(config, "base_url", str, path) or settings.openai_base_url
    return OpenAIChatClient(
        ModelEndpoint(
            kind="compatible" if base_url else "openai",
            model=model,
            base_url=base_url,
            api_key=SecretStr(key) if key else settings.openai_api_key,
        )
    )


def _replay(config: dict[str, Any], path: str) -> ScriptedModelClient:
    replies = want(config, "chat_completions", list, path, [])
    entries = [_replay_entry(reply, join(join(path, "chat_completions"), i)) for i, reply in enumerate(replies)]
    return ScriptedModelClient(Script(agents={"*": entries}), model_name="replay")


def _replay_entry(reply: Any, path: str) -> ScriptEntry:
    if isinstance(reply, str):
        return ScriptEntry(content=reply)
    if not isinstance(reply, dict):
        raise ComponentError(path, "expected a string or a CreateResult object")
    usage = reply.get("usage") or {}
    counts = {k: int(usage[k]) for k in ("prompt_tokens", "completion_tokens") if k in usage}
    content = reply.get("content")
    if isinstance(content, list):
        calls = [
            ScriptedToolCall(name=c["name"], arguments=json.loads(c.get("arguments") or "{}"), id=c.get("id"))
            for c in content
        ]
        return ScriptEntry(tool_calls=calls, usage=counts or None)
    if not isinstance(content, str):
        raise ComponentError(join(path, "content"), "expected text or a list of function calls")
    return ScriptEntry(content=content, usage=counts or None)


def dump_model(client: ModelClient, path: str) -> dict[str, Any]:
    """AutoGen's component for `client` (never with a key: AutoGen reads it from its own settings)."""
    if isinstance(client, ScriptedModelClient):
        return component(REPLAY, "replay_chat_completion_client", _dump_replay(client, path))
    if isinstance(client, OpenAIChatClient):
        endpoint: ModelEndpoint = client._endpoint
        if endpoint.kind == "azure":
            return component(
                AZURE,
                "model",
                {
                    "model": endpoint.model,
                    "azure_endpoint": endpoint.base_url,
                    "azure_deployment": endpoint.model,
                    "api_version": endpoint.api_version,
                },
            )
        config: dict[str, Any] = {"model": endpoint.model}
        if endpoint.base_url:
            config |= {"base_url": endpoint.base_url, "model_info": DEFAULT_MODEL_INFO}
        return component(OPENAI, "model", config)
    raise ComponentError(path, f"model client {type(client).__name__} has no declarative form")


def _dump_replay(client: ScriptedModelClient, path: str) -> dict[str, Any]:
    agents = client._script.agents
    if set(agents) != {"*"}:
        raise ComponentError(path, "only a scripted model with one shared script ('*') dumps as a replay client")
    replies: list[Any] = []
    for entry in agents["*"]:
        if entry.tool_calls:
            calls = [
                {"id": c.id or f"call_{i}", "name": c.name, "arguments": json.dumps(c.arguments)}
                for i, c in enumerate(entry.tool_calls)
            ]
            usage = entry.usage or {"prompt_tokens": 0, "completion_tokens": 0}
            replies.append({"finish_reason": "function_calls", "content": calls, "usage": usage, "cached": False})
        else:
            replies.append(entry.content or "")
    return {"chat_completions": replies, "model_info": DEFAULT_MODEL_INFO}


def load_context(loader: Loader, spec: ComponentSpec, path: str) -> ModelContext:
    """Our model context for an AutoGen chat completion context spec."""
    config = spec.config
    if spec.provider.endswith("BufferedChatCompletionContext"):
        return BufferedModelContext(want(config, "buffer_size", int, path, 10))
    if spec.provider.endswith("TokenLimitedChatCompletionContext"):
        limit = want(config, "token_limit", int, path)
        if limit is None:
            raise ComponentError(join(path, "token_limit"), "a token limit is required")
        return TokenLimitedModelContext(limit)
    return UnboundedModelContext()


def dump_context(context: ModelContext, path: str) -> dict[str, Any]:
    """AutoGen's component for `context`."""
    if isinstance(context, BufferedModelContext):
        return component(BUFFERED, "chat_completion_context", {"buffer_size": context.buffer_size})
    if isinstance(context, UnboundedModelContext):
        return component(UNBOUNDED, "chat_completion_context", {})
    if isinstance(context, TokenLimitedModelContext):
        # AutoGen's token-limited context needs a model client to count with; ours counts by estimate.
        raise ComponentError(path, "a token-limited context has no AutoGen form without a model client")
    raise ComponentError(path, f"model context {type(context).__name__} has no declarative form")


PROVIDERS = {
    OPENAI: ("model", load_model),
    "OpenAIChatCompletionClient": ("model", load_model),
    AZURE: ("model", load_model),
    "AzureOpenAIChatCompletionClient": ("model", load_model),
    REPLAY: ("model", load_model),
    "ReplayChatCompletionClient": ("model", load_model),
    UNBOUNDED: ("chat_completion_context", load_context),
    BUFFERED: ("chat_completion_context", load_context),
    TOKEN_LIMITED: ("chat_completion_context", load_context),
}
"""Allowed model and context providers: name to (component type, builder)."""
