"""`Team`: what every team offers (a group chat, a nested team's inner team), and what runs and nesting need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from switchboard.agent import Agent
from switchboard.teams.manager import GroupChatManager


class Team(Protocol):
    """A team: its name (its manager's), its manager, and every actor (the manager first)."""

    @property
    def name(self) -> str:
        """The team's name, which is its manager's agent name."""
        ...

    @property
    def manager(self) -> GroupChatManager:
        """The agent that runs the team's turns."""
        ...

    def agents(self) -> Sequence[Agent[Any]]:
        """The manager and the participants (a nested team with its own)."""
        ...
