"""`Swarm`: the speaker is whoever was handed to last; handoffs are tool calls of the participants.

An `AssistantAgent` with `handoffs=[...]` gets one `transfer_to_<target>` tool per target; calling it ends its turn
with a `handoff` entry naming the target. The manager makes no model call of its own: it reads the entry it just
recorded, so a Swarm hop costs the same as a round-robin one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from switchboard.agent import Agent
from switchboard.teams.aliases import pick_termination
from switchboard.teams.errors import HandoffTargetError
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.manager import GroupChatManager, SpeakerSelection
from switchboard.termination import TerminationCondition


class SwarmManager(GroupChatManager):
    """The first participant starts; after a handoff its target speaks; without one the speaker goes on."""

    kind = "swarm"

    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """The last handoff's target, else the current speaker, else the first participant.

        Raises:
            HandoffTargetError: The handoff names someone who is not a participant (and no condition stopped on it,
                such as `HandoffTermination("user")`).
        """
        last = selection.last
        if last.kind == "handoff" and last.target is not None:
            if last.target not in self.participants:
                raise HandoffTargetError(
                    f"{last.source} handed off to {last.target!r}, not one of {self.participants}; "
                    f"stop on it with HandoffTermination({last.target!r})"
                )
            return last.target
        return selection.state.current_speaker or self.participants[0]


class Swarm(GroupChat):
    """A team that passes control by handoffs, like AutoGen's `Swarm`.

    Example:
        >>> agent = AssistantAgent("travel", model_client=client, handoffs=["flights", "user"])
        >>> team = Swarm([agent, flights], termination=HandoffTermination("user") | MaxMessageTermination(20))
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
        """Build the swarm manager; the first participant speaks first."""
        termination = pick_termination(name, termination, termination_condition)
        manager = SwarmManager(name, [p.name for p in participants], termination=termination, max_turns=max_turns)
        super().__init__(participants, manager)
