"""`RoundContinued`: a team manager's message to itself, so that each of its rounds is a hop of its own.

A manager that decides to go on without asking anyone (the Magentic-One orchestrator after it replans) sends
itself this message and ends the hop, instead of looping inside one handler call. Every hop then makes a bounded
number of model calls and writes a bounded number of transcript entries, whatever the run does.
"""

from __future__ import annotations

from typing import ClassVar

from switchboard.messages import Message


class RoundContinued(Message):
    """Run the manager's next round.

    Attributes:
        team: The team (manager) it is for.
        turn: The manager's turn when sent; a copy arriving at another turn is stale and ignored.
        round: The rounds done when sent; a redelivered copy finds the count moved on and is ignored.
    """

    message_type: ClassVar[str] = "switchboard.team.RoundContinued"
    team: str
    turn: int
    round: int


CONTINUATION_MESSAGES: tuple[type[Message], ...] = (RoundContinued,)
"""The managers' own continuation messages, for registries and schemas."""
