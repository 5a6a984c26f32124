"""`TeamSpec`: how an application describes a team to Switchboard's hosts (the CLI, the Function App)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from switchboard.models.protocol import ModelClient
from switchboard.teams.group_chat import GroupChat


@dataclass(frozen=True)
class TeamSpec:
    """A named team an application offers.

    Attributes:
        name: The team's name (its manager's agent name).
        description: One line for humans.
        build: Builds the team's agents around a model client.
        report_author: The participant whose last message is the run's report.
        demo_script: A model script (see `switchboard.models.scripted`) that plays a complete run offline.
    """

    name: str
    description: str
    build: Callable[[ModelClient], GroupChat]
    report_author: str
    demo_script: Path | None = None
