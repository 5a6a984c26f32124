"""The human-in-the-loop protocol: how an agent pauses a run for a person, and how the answer comes back.

    agent ──InputRequested (published)──▶ host: run `awaiting_input`, question stored, timeout scheduled
    client ──InputProvided──▶ agent (resumes)        scheduled ──InputTimedOut──▶ agent (denies or stops)
    agent ──RunStopped (published)──▶ host: run ended (`cancelled`) with the reason

The waiting agent keeps the pending request in its own state, so nothing waits in memory: the handler that asked
completes its message, and whichever host handles the answer (days later, after any restart) resumes from state.
An answer or a timeout whose `request_id` is not the pending one is stale and ignored.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from switchboard.messages import Message

InputKind = Literal["input", "approval"]

_REQUEST_IDS = uuid.UUID("5d0c2f8e-8a8b-4b63-9d7e-3c1f5e2a7b44")


def request_id_for(agent: str, message_id: str, suffix: str = "") -> str:
    """A request id that is the same on every delivery of the message that asks (so a redelivery asks the same)."""
    return str(uuid.uuid5(_REQUEST_IDS, f"{agent}/{message_id}/{suffix}"))


class InputRequested(Message):
    """An agent waits for a person: free text (`input`) or a yes/no on a tool call (`approval`).

    Attributes:
        request_id: Names this question; the answer must carry it back.
        agent: The waiting agent (the answer is sent to it).
        team: The team the agent works in.
        kind: `input` (answer with text) or `approval` (answer with approve true/false).
        prompt: What the person is asked.
        tool: For an approval, the tool the model wants to call.
        arguments: For an approval, the call's arguments as JSON text.
        timeout_seconds: After this long without an answer the agent gets `InputTimedOut`; None waits forever.
        on_timeout: What the timeout does: `deny` the tool call, `reply` with a default text, or `stop` the run.
    """

    message_type: ClassVar[str] = "switchboard.input.InputRequested"
    request_id: str
    agent: str
    team: str
    kind: InputKind
    prompt: str
    tool: str | None = None
    arguments: str | None = None
    timeout_seconds: float | None = None
    on_timeout: Literal["deny", "reply", "stop"] = "stop"


class InputProvided(Message):
    """A person's answer to `InputRequested` (text for `input`, `approve` for `approval`)."""

    message_type: ClassVar[str] = "switchboard.input.InputProvided"
    request_id: str
    input: str | None = None
    approve: bool | None = None


class InputTimedOut(Message):
    """Nobody answered `request_id` in time (sent as a scheduled message; ignored when the answer came first)."""

    message_type: ClassVar[str] = "switchboard.input.InputTimedOut"
    request_id: str


class RunStopped(Message):
    """An agent ended the run before its termination condition (e.g. nobody answered a question in time).

    Attributes:
        team: The team.
        stop_reason: Why.
        status: The run's final status (`cancelled`: the task was not finished).
    """

    message_type: ClassVar[str] = "switchboard.input.RunStopped"
    team: str
    stop_reason: str
    status: Literal["cancelled"] = "cancelled"


INPUT_MESSAGES: tuple[type[Message], ...] = (InputRequested, InputProvided, InputTimedOut, RunStopped)
"""Every human-in-the-loop protocol message, for registries and hosts."""
