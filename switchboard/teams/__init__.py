"""Teams: the team protocol messages, the round-robin manager, and the in-process `RoundRobinGroupChat`."""

from switchboard.teams.manager import RoundRobinManager, TeamState
from switchboard.teams.messages import TEAM_MESSAGES, RunCompleted, TaskSubmitted, TurnCompleted, TurnRequested
from switchboard.teams.result import TeamResult
from switchboard.teams.round_robin import RoundRobinGroupChat
from switchboard.teams.transcript import TranscriptEntry

__all__ = [
    "TEAM_MESSAGES",
    "RoundRobinGroupChat",
    "RoundRobinManager",
    "RunCompleted",
    "TaskSubmitted",
    "TeamResult",
    "TeamState",
    "TranscriptEntry",
    "TurnCompleted",
    "TurnRequested",
]
