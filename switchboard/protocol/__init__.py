"""The team protocol: the messages a team's manager, its participants and a human exchange, and the transcript.

It sits below `agentchat`, `teams` and `termination`, which all speak it, so none of them imports another for
its vocabulary.
"""

from switchboard.protocol.continuation import CONTINUATION_MESSAGES, RoundContinued
from switchboard.protocol.input_messages import (
    INPUT_MESSAGES,
    InputProvided,
    InputRequested,
    InputTimedOut,
    RunStopped,
    request_id_for,
)
from switchboard.protocol.messages import TEAM_MESSAGES, RunCompleted, TaskSubmitted, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import EntryKind, TranscriptEntry

__all__ = [
    "CONTINUATION_MESSAGES",
    "INPUT_MESSAGES",
    "TEAM_MESSAGES",
    "EntryKind",
    "InputProvided",
    "InputRequested",
    "InputTimedOut",
    "RoundContinued",
    "RunCompleted",
    "RunStopped",
    "TaskSubmitted",
    "TranscriptEntry",
    "TurnCompleted",
    "TurnRequested",
    "request_id_for",
]
