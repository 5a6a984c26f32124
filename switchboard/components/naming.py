"""AutoGen names (`writer_agent`, `RoundRobinGroupChat`) as Switchboard agent names, which are queue names."""

from __future__ import annotations

from switchboard.agent.naming import name_problem, suggested_name
from switchboard.components.errors import ComponentError


def agent_name(name: str, path: str) -> str:
    """`name` as a valid agent name: kept when valid, else its closest valid form (`Writer_1` -> `writer_1`).

    AutoGen allows any identifier; hosted, a name is a Service Bus queue, so the same mapping is applied wherever a
    name appears (participants, handoff targets, sources, graph nodes) and the team stays consistent.

    Raises:
        ComponentError: Not even the suggested form is valid (a reserved name).
    """
    if name_problem(name) is None:
        return name
    suggested = suggested_name(name)
    problem = name_problem(suggested)
    if problem is not None:
        raise ComponentError(path, f"name {name!r} cannot be an agent name: {problem}")
    return suggested
