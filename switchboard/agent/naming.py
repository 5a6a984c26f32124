"""The one rule for agent names: each agent (team managers included) becomes a queue and a function when hosted.

An agent's name is its address in a run and, hosted, the name of its Service Bus queue and of the function
`agent_<name>` that serves it — so it is checked here, when the agent is built, not first when the Function App
is. The rule is the stricter of the two services' rules: a lower-case letter, then up to 49 lower-case letters,
digits, `_` or `-`, not ending in either; `tasks` and `run-events` are the hosting layer's own entities. AutoGen's
usual names (`primary_agent`) are valid, so its scripts and component JSON keep their names. Names are unique across a
deployment (every team's agents share one namespace): the entity list refuses a name used twice, and two names that
differ only by `_` against `-` (they would serve one function, `agent_<name with - as _>`).
"""

from __future__ import annotations

import re

AGENT_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
"""A valid Service Bus queue name that, with `-` as `_`, is a valid function name."""
RESERVED_NAMES = frozenset({"tasks", "run-events"})
"""The ingress queue and the run-events topic."""


def name_problem(name: object) -> str | None:
    """What is wrong with `name` as an agent name, or None when it is fine."""
    if not isinstance(name, str) or not AGENT_NAME.fullmatch(name) or name.endswith(("-", "_")):
        return (
            f"{name!r} is not a valid queue/function name (lower-case letter first, then up to 49 lower-case "
            "letters, digits, '_' or '-', not ending in '_' or '-')"
        )
    if name in RESERVED_NAMES:
        return f"{name!r} is reserved for the hosting layer's own entities"
    return None


def suggested_name(name: str) -> str:
    """A valid name close to `name` (for the error message): lower case, other characters as `_`, trimmed."""
    cleaned = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_-")
    cleaned = re.sub(r"_{2,}", "_", cleaned)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"agent_{cleaned}".rstrip("_-")
    cleaned = cleaned[:50].rstrip("_-")
    return cleaned if cleaned not in RESERVED_NAMES else f"{cleaned}_agent"


def check_agent_name(name: object) -> str:
    """Return `name` if it can name a hosted agent.

    Raises:
        ValueError: The problem and a suggested name (the caller raises its own error type with it).
    """
    problem = name_problem(name)
    if problem is None:
        return str(name)
    hint = f"; try {suggested_name(name)!r}" if isinstance(name, str) else ""
    raise ValueError(f"agent name {problem}{hint} (each agent is one queue and one function when hosted)")
