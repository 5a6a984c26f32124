"""`UsageLedger`: every model call's token usage, per calling agent, kept by the client that made the call."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from switchboard.models.chat import Usage

logger = logging.getLogger("switchboard.models")


class UsageLedger:
    """Token usage summed per agent, plus the number of calls.

    Model clients record every successful call here, so usage is accounted even for calls made outside a
    team (and the team result can be checked against it).
    """

    def __init__(self) -> None:
        """Start empty."""
        self.by_agent: dict[str, Usage] = {}
        self.calls = 0

    def record(self, agent: str, usage: Usage, model: str) -> None:
        """Add one call's usage; logs the token counts (never prompt text)."""
        self.by_agent[agent] = self.by_agent.get(agent, Usage()) + usage
        self.calls += 1
        logger.debug(
            "chat %s agent=%s prompt_tokens=%d completion_tokens=%d",
            model,
            agent,
            usage.prompt_tokens,
            usage.completion_tokens,
        )

    @property
    def total(self) -> Usage:
        """Usage over every agent."""
        total = Usage()
        for usage in self.by_agent.values():
            total += usage
        return total


def models_by_agent(calls: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """The model(s) each agent used, from `(agent, model)` pairs in call order: `"a"`, or `"a, b"` for several.

    The usage tables (CLI, `GET /api/runs/{id}`) name each agent's model with it; a pair without a model is skipped.
    """
    seen: dict[str, list[str]] = {}
    for agent, model in calls:
        if model:
            names = seen.setdefault(agent, [])
            if model not in names:
                names.append(model)
    return {agent: ", ".join(names) for agent, names in seen.items()}
