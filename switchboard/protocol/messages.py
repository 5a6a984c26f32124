"""The team protocol: the typed messages a team manager and its participants exchange.

    client ──TaskSubmitted──▶ manager ──TurnRequested──▶ participant ──TurnCompleted──▶ manager ...
    manager: termination met ──RunCompleted (published)──▶ whoever watches run events

Wire names are namespaced (`switchboard.team.*`) so they never clash with an application's own messages.
"""

from __future__ import annotations

from typing import ClassVar

from switchboard.messages import Message
from switchboard.models.chat import Usage
from switchboard.protocol.transcript import TranscriptEntry


class TaskSubmitted(Message):
    """Start a team run on `task`; sent to the team manager (its name is the team's name)."""

    message_type: ClassVar[str] = "switchboard.team.TaskSubmitted"
    task: str


class TurnRequested(Message):
    """The manager asks one participant to speak.

    Attributes:
        team: The team (manager) name to answer to.
        turn: The turn number; the answer must carry it back (stale answers are ignored).
        new_messages: Transcript entries the participant has not seen yet, oldest first.
    """

    message_type: ClassVar[str] = "switchboard.team.TurnRequested"
    team: str
    turn: int
    new_messages: tuple[TranscriptEntry, ...]


class TurnCompleted(Message):
    """A participant's answer to a `TurnRequested`."""

    message_type: ClassVar[str] = "switchboard.team.TurnCompleted"
    team: str
    turn: int
    entry: TranscriptEntry


class RunCompleted(Message):
    """A team run ended: why it stopped, tokens per agent, and how many transcript entries it left.

    The transcript itself is not carried (a bus message has a size limit and a run does not): read it from the
    run's transcript log, entries `0 .. entry_count - 1`.
    """

    message_type: ClassVar[str] = "switchboard.team.RunCompleted"
    team: str
    stop_reason: str
    usage: dict[str, Usage]
    entry_count: int


TEAM_MESSAGES: tuple[type[Message], ...] = (TaskSubmitted, TurnRequested, TurnCompleted, RunCompleted)
"""Every team protocol message, for registries and hosts."""
