"""`MagenticOneState`: the Magentic-One orchestrator's persisted state (AutoGen's `MagenticOneOrchestratorState`)."""

from __future__ import annotations

from switchboard.teams.manager import TeamState


class MagenticOneState(TeamState):
    """The team counters plus the task ledger and the inner-loop counters; all bounded by a few model answers.

    Attributes:
        task: The request being worked on.
        facts: The task ledger's fact sheet (the orchestrator model's last answer about facts).
        plan: The task ledger's plan.
        n_rounds: Inner-loop rounds (progress ledgers) so far; `max_turns` caps them.
        n_stalls: Current stall count; `max_stalls` triggers a replan.
        replans: How many times the ledger was updated after stalling.
        thread_start: The transcript index of the current ledger: the orchestrator reasons over entries from there.
    """

    task: str = ""
    facts: str = ""
    plan: str = ""
    n_rounds: int = 0
    n_stalls: int = 0
    replans: int = 0
    thread_start: int = 0
