"""AutoGen's keyword names on our teams: `termination_condition=` is `termination=` under AutoGen's spelling.

Every team accepts both, so an AutoGen script runs after changing only its imports; giving both is a mistake
that names the team rather than silently preferring one.
"""

from __future__ import annotations

from switchboard.errors import AgentDefinitionError
from switchboard.termination import TerminationCondition


def pick_termination(
    team: str, termination: TerminationCondition | None, termination_condition: TerminationCondition | None
) -> TerminationCondition | None:
    """The one termination condition given under either name (None when neither is).

    Raises:
        AgentDefinitionError: Both `termination` and `termination_condition` were given.
    """
    if termination is not None and termination_condition is not None:
        raise AgentDefinitionError(f"team {team!r}: give termination= or AutoGen's termination_condition=, not both")
    return termination if termination is not None else termination_condition
