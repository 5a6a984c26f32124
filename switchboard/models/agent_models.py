"""A model per agent: `MODEL__<AGENT>__<SETTING>` gives one agent of a team its own model client.

`<SETTING>` is any model setting of `switchboard.models.settings` under its usual name (`AZURE_OPENAI_DEPLOYMENT`,
`OPENAI_MODEL`, `OPENAI_BASE_URL`, `SWITCHBOARD_MODEL_TEMPERATURE`, `SWITCHBOARD_MODEL_PRICE_INPUT`, …); `<AGENT>` is
the agent's name in upper case with every character other than a letter or digit written as `_`. An agent's settings
are layered over the team's: `MODEL__REVIEWER__AZURE_OPENAI_DEPLOYMENT=gpt-4o-mini` sends the reviewer to another
deployment of the same Azure OpenAI resource, with the team's credentials, API version and timeouts. An agent without
settings of its own (or only blank ones) uses the team's model client, and an agent built in code with a client of
its own keeps it.

The names are the same in `local.settings.json`, the Function App's settings and the environment (`__` is how Azure
App Service spells a nested setting on Linux). The client is resolved on the agent's first model call, as
`DeferredModelClient` does for the team's, so a Function App imports without its model settings.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterable, Mapping

from switchboard.models.chat import ModelRequest, ModelResponse
from switchboard.models.errors import ModelNotConfiguredError
from switchboard.models.protocol import ModelClient
from switchboard.models.settings import ModelEndpoint, ModelSettings, TokenPrice

PREFIX = "MODEL__"
"""What every per-agent model setting's name starts with."""

AgentClientFactory = Callable[[str], ModelClient | None]
"""Builds an agent's own client from its name, or returns None when the agent has no model settings."""


def agent_key(agent: str) -> str:
    """The `<AGENT>` part of an agent's setting names (`release-checker` → `RELEASE_CHECKER`)."""
    return re.sub(r"[^A-Za-z0-9]", "_", agent).upper()


def agent_overrides(agent: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The model settings given to `agent` alone, by their field names in `ModelSettings`.

    Raises:
        ModelNotConfiguredError: A `MODEL__<AGENT>__` name ends in no model setting (a typo would otherwise
            silently leave the agent on the team's model).
    """
    prefix = f"{PREFIX}{agent_key(agent)}__"
    found = {
        name[len(prefix) :].lower(): value
        for name, value in (os.environ if environ is None else environ).items()
        if name.upper().startswith(prefix)
    }
    unknown = sorted(set(found) - set(ModelSettings.model_fields))
    if unknown:
        names = ", ".join(prefix + name.upper() for name in unknown)
        known = ", ".join(sorted(field.upper() for field in ModelSettings.model_fields))
        raise ModelNotConfiguredError(f"{names}: not a model setting; after {prefix} use one of {known}")
    return found


def agent_endpoint(agent: str, environ: Mapping[str, str] | None = None) -> ModelEndpoint | None:
    """The endpoint of `agent`'s own settings layered over the team's, or None when it has no settings.

    Raises:
        ModelNotConfiguredError: The layered settings name no complete endpoint, or a name is unknown.
    """
    overrides = agent_overrides(agent, environ)
    if not any(value.strip() for value in overrides.values()):
        return None  # none, or only blank ones (a settings file listing the names): the team's model
    # Keyword arguments win over the environment in pydantic-settings, so the team's values fill the rest.
    try:
        return ModelSettings(**overrides).resolve()  # type: ignore[arg-type]
    except ModelNotConfiguredError as error:
        raise ModelNotConfiguredError(f"agent {agent!r} ({PREFIX}{agent_key(agent)}__*): {error.reason}") from error
    except ValueError as error:  # pydantic's ValidationError: a value of the wrong type
        raise ModelNotConfiguredError(f"agent {agent!r}: invalid model setting: {error}") from error


class AgentModelClient:
    """One agent's model client: its own when its settings name one (resolved on the first call), else the team's.

    Only a client it built itself is closed by `close`; the team's client belongs to whoever built the team.
    """

    def __init__(self, agent: str, team_client: ModelClient, factory: AgentClientFactory) -> None:
        """Remember the agent, the fallback, and how to build its own client; nothing is read or connected yet.

        `factory` is usually `switchboard.models.openai_client.settings_agent_client` (the agent's settings).
        """
        self.agent = agent
        self.team_client = team_client
        self._factory = factory
        self._own: ModelClient | None = None
        self._resolved: ModelClient | None = None
        self._lock = asyncio.Lock()

    @property
    def model_name(self) -> str:
        """The model (or deployment) this agent calls; the team's until its own is resolved."""
        return (self._resolved or self.team_client).model_name

    @property
    def price(self) -> TokenPrice | None:
        """The configured price of the client in use, if it has one."""
        price = getattr(self._resolved or self.team_client, "price", None)
        return price if isinstance(price, TokenPrice) else None

    async def resolve(self) -> ModelClient:
        """The client this agent's calls go to, built on first use."""
        if self._resolved is None:
            async with self._lock:
                if self._resolved is None:
                    self._own = self._factory(self.agent)
                    self._resolved = self._own or self.team_client
        return self._resolved

    async def create(self, request: ModelRequest) -> ModelResponse:
        """Run one chat completion on the agent's client."""
        return await (await self.resolve()).create(request)

    async def close(self) -> None:
        """Close the agent's own client, if it built one (the team's client is closed by its owner)."""
        own, self._own, self._resolved = self._own, None, None
        if own is not None:
            await own.close()


def assign_agent_clients(
    agents: Iterable[object], team_client: ModelClient, factory: AgentClientFactory
) -> list[AgentModelClient]:
    """Give every agent built around `team_client` an `AgentModelClient` that falls back to it.

    `factory` builds an agent's own client (`openai_client.settings_agent_client` reads its settings); the model
    SDK stays out of this module so agents and teams can use it without importing one.

    Agents whose `model_client` is another object (set in code) keep it, and so do agents without a model.

    Returns:
        The clients assigned, for the caller to close with the team.
    """
    assigned: list[AgentModelClient] = []
    for agent in agents:
        if getattr(agent, "model_client", None) is team_client:
            client = AgentModelClient(str(getattr(agent, "name", "")), team_client, factory)
            agent.model_client = client  # type: ignore[attr-defined]
            assigned.append(client)
    return assigned
