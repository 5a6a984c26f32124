"""AutoGen's `CodeExecutorAgent` between its component JSON and Switchboard.

The agent keeps its executor (our sandboxed local one), optional model client and context, sources, languages,
description and system message. An approval function is code, so neither side writes one; a loaded agent still asks
for approval before it runs code (our default; AutoGen's runs it unasked), and runs it in our executor's sandbox.
"""

from __future__ import annotations

from typing import Any

from switchboard.agentchat.code_executor_agent import CodeExecutorAgent
from switchboard.agentchat.code_sessions import SharedExecutor
from switchboard.components.errors import ComponentError
from switchboard.components.executors import dump_executor
from switchboard.components.loader import Loader, want
from switchboard.components.models import dump_context, dump_model
from switchboard.components.naming import agent_name
from switchboard.components.spec import ComponentSpec, component, join

CODE_EXECUTOR_AGENT = "autogen_agentchat.agents.CodeExecutorAgent"


def load_code_executor_agent(loader: Loader, spec: ComponentSpec, path: str) -> CodeExecutorAgent:
    """Our `CodeExecutorAgent` for AutoGen's."""
    config = spec.config
    name = agent_name(want(config, "name", str, path, ""), join(path, "name"))
    if config.get("code_executor") is None:
        raise ComponentError(join(path, "code_executor"), "a code executor agent needs a code executor")
    options: dict[str, Any] = {}
    if config.get("model_client") is not None:
        options["model_client"] = loader.load(config["model_client"], join(path, "model_client"), "model")
    if config.get("model_context") is not None:
        options["model_context"] = loader.load(config["model_context"], join(path, "model_context"))
    sources = want(config, "sources", list, path)
    return CodeExecutorAgent(
        name,
        loader.load(config["code_executor"], join(path, "code_executor"), "code_executor"),
        description=want(config, "description", str, path),
        system_message=want(config, "system_message", str, path),
        sources=[agent_name(s, join(path, "sources")) for s in sources] if sources is not None else None,
        supported_languages=want(config, "supported_languages", list, path),
        **options,
    )


def dump_code_executor_agent(agent: CodeExecutorAgent, path: str) -> dict[str, Any]:
    """AutoGen's component for `agent`.

    Raises:
        ComponentError: It has an approval function, or an executor made per run (both are code).
    """
    at = join(path, "config")
    if agent.approval_func is not None:
        raise ComponentError(join(at, "approval_func"), "an approval function has no declarative form")
    if not isinstance(agent.code_executor, SharedExecutor):
        raise ComponentError(join(at, "code_executor"), "an executor made per run has no declarative form")
    config: dict[str, Any] = {
        "name": agent.name,
        "code_executor": dump_executor(agent.code_executor.executor, join(at, "code_executor")),
        "description": agent.description,
        "model_client_stream": False,
        "model_context": dump_context(agent.model_context, join(at, "model_context")),
        "supported_languages": list(agent.supported_languages),
    }
    if agent.system_message is not None:
        config["system_message"] = agent.system_message
    if agent.sources is not None:
        config["sources"] = list(agent.sources)
    if agent.model_client is not None:
        config["model_client"] = dump_model(agent.model_client, join(at, "model_client"))
    return component(CODE_EXECUTOR_AGENT, "agent", config)


PROVIDERS = {
    CODE_EXECUTOR_AGENT: ("agent", load_code_executor_agent),
    "CodeExecutorAgent": ("agent", load_code_executor_agent),
}
"""Allowed code executor agent providers: name to (component type, builder)."""
