"""Tool approval for `AssistantAgent`: a turn that pauses durably before a tool call a person must approve.

When the model asks for a tool declared `approval="always"`, the turn stops there: the model replies and tool
results obtained so far are kept in the agent's state (`PendingTurn`), the agent publishes `InputRequested`, and
the handler completes its message — nothing waits in memory. The answer (`InputProvided`, or `InputTimedOut` from
the scheduled timeout) is another message: the turn runs again from its start, replaying the kept replies and
results in order (no model or tool is called twice), and goes on past the decided call.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from switchboard.errors import PermanentError
from switchboard.models.chat import ModelResponse, ToolCall, ToolResultMessage
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut, request_id_for
from switchboard.protocol.messages import TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.tools import FunctionTool

APPROVED = "approved"


class ApprovalRequiredError(PermanentError):
    """A tool call needs a person's approval; outside a hosted or in-process team nobody can give it.

    Inside a team's turn the assistant catches it and pauses the run instead.
    """

    def __init__(self, tool: FunctionTool, call: ToolCall) -> None:
        super().__init__(f"calling {tool.name!r} needs a person's approval")
        self.tool = tool
        self.call = call


class PendingTurn(BaseModel):
    """A turn in progress, kept in the assistant's state while it waits for an approval.

    Attributes:
        team: The team (manager) to answer.
        turn: The turn number to answer with.
        reply_to: Who asked for the turn.
        new_messages: The transcript entries the turn started with.
        chats: The model replies of the turn so far, in call order (JSON).
        tools: The tool results of the turn so far, in call order (JSON).
        decisions: Per tool call id: `approved`, or the reason it was denied.
        request_id: The open question, while waiting.
        call_id: The tool call waiting for a decision.
        timeout_seconds: The waiting tool's approval timeout.
    """

    team: str
    turn: int
    reply_to: str
    new_messages: list[TranscriptEntry] = Field(default_factory=list)
    chats: list[dict[str, object]] = Field(default_factory=list)
    tools: list[dict[str, object]] = Field(default_factory=list)
    decisions: dict[str, str] = Field(default_factory=dict)
    request_id: str | None = None
    call_id: str | None = None
    timeout_seconds: float | None = None


def resume_turn(
    pending: PendingTurn | None, message: TurnRequested | InputProvided | InputTimedOut, *, sender: str | None
) -> PendingTurn | None:
    """The turn a message starts or resumes; None for a stale answer (not the open question)."""
    if isinstance(message, TurnRequested):
        return PendingTurn(
            team=message.team,
            turn=message.turn,
            reply_to=sender or message.team,
            new_messages=list(message.new_messages),
        )
    if pending is None or pending.request_id is None or message.request_id != pending.request_id:
        return None
    assert pending.call_id is not None
    if isinstance(message, InputTimedOut):
        decision = f"not approved within {pending.timeout_seconds:g} s: the call was not made"
    elif message.approve:
        decision = APPROVED
    else:
        decision = "a person denied this call: it was not made"
    return pending.model_copy(
        update={"decisions": {**pending.decisions, pending.call_id: decision}, "request_id": None, "call_id": None}
    )


class TurnReplay:
    """Serves a resumed turn its kept model replies and tool results, and keeps the new ones."""

    def __init__(self, pending: PendingTurn | None = None) -> None:
        self.pending = pending
        self._chat = 0
        self._tool = 0

    def replay_chat(self) -> ModelResponse | None:
        """The next kept model reply, or None when the turn is past them."""
        if self.pending is None or self._chat >= len(self.pending.chats):
            return None
        self._chat += 1
        return ModelResponse.model_validate(self.pending.chats[self._chat - 1])

    def record_chat(self, reply: ModelResponse) -> None:
        """Keep a fresh model reply."""
        if self.pending is not None:
            self.pending.chats.append(reply.model_dump(mode="json"))
            self._chat += 1

    def replay_tool(self) -> ToolResultMessage | None:
        """The next kept tool result, or None when the turn is past them."""
        if self.pending is None or self._tool >= len(self.pending.tools):
            return None
        self._tool += 1
        return ToolResultMessage.model_validate(self.pending.tools[self._tool - 1])

    def record_tool(self, result: ToolResultMessage) -> None:
        """Keep a fresh tool result."""
        if self.pending is not None:
            self.pending.tools.append(result.model_dump(mode="json"))
            self._tool += 1

    def approval(self, tool: FunctionTool, call: ToolCall) -> ToolResultMessage | None:
        """None when the call may run; an error result when it was denied.

        Raises:
            ApprovalRequiredError: Nobody decided yet (the turn pauses).
        """
        decision = self.pending.decisions.get(call.id) if self.pending is not None else None
        if decision is None:
            raise ApprovalRequiredError(tool, call)
        if decision == APPROVED:
            return None
        return ToolResultMessage(tool_call_id=call.id, name=tool.name, content=decision, is_error=True)

    def pause(self, need: ApprovalRequiredError, *, agent: str, message_id: str) -> InputRequested:
        """Keep the turn waiting for `need`'s call and return the question to publish."""
        assert self.pending is not None
        tool, call = need.tool, need.call
        request_id = request_id_for(agent, message_id, call.id)
        self.pending.request_id = request_id
        self.pending.call_id = call.id
        self.pending.timeout_seconds = tool.approval_timeout
        return InputRequested(
            request_id=request_id,
            agent=agent,
            team=self.pending.team,
            kind="approval",
            prompt=f"{agent} wants to call {tool.name}({call.arguments or ''}). Approve?",
            tool=tool.name,
            arguments=call.arguments,
            timeout_seconds=tool.approval_timeout,
            on_timeout="deny",
        )
