"""`RoundRobinGroupChat`: participants speak in a fixed order, run on Switchboard's actor runtime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from switchboard.agent import Agent
from switchboard.teams.aliases import pick_termination
from switchboard.teams.errors import TeamRunError
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.manager import GroupChatManager, SpeakerSelection
from switchboard.termination import TerminationCondition

__all__ = ["RoundRobinGroupChat", "RoundRobinManager", "TeamRunError"]


class RoundRobinManager(GroupChatManager):
    """Asks participants to speak in a fixed order and publishes `RunCompleted` when the run ends."""

    kind = "round-robin"

    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """The next participant in order: turn `n` goes to participant `n mod len(participants)`."""
        state = selection.state
        state.speaker = state.turn % len(self.participants)
        return self.participants[state.speaker]


class RoundRobinGroupChat(GroupChat):
    """A team whose participants speak in turn, like AutoGen's `RoundRobinGroupChat`.

    Example:
        >>> team = RoundRobinGroupChat([writer, reviewer], termination=TextMentionTermination("APPROVE"))
        >>> result = await team.run("Write a haiku about queues")
    """

    def __init__(
        self,
        participants: Sequence[Agent[Any]],
        *,
        termination: TerminationCondition | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        name: str = "team",
    ) -> None:
        """Build the manager for `participants` (they speak in this order)."""
        termination = pick_termination(name, termination, termination_condition)
        manager = RoundRobinManager(name, [p.name for p in participants], termination=termination, max_turns=max_turns)
        super().__init__(participants, manager)
