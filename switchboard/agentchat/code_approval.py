"""Approving code before it runs: AutoGen's `approval_func`, and the durable pause when a person must decide.

`approval_func(ApprovalRequest) -> ApprovalResponse` (sync or async) is AutoGen's automatic policy; here it may
also return None to leave the decision to a person, and without one every execution waits for a person. Waiting is
the human-in-the-loop pause tools with `approval="always"` use: the turn stops, what it did so far (model replies,
decisions, results) is kept in the agent's state (`CodeTurn`), `InputRequested` is published and the handler
completes. The answer (`InputProvided`, or `InputTimedOut`) resumes the turn from its start, replaying what it kept,
and goes on past the decided execution — nothing waits in memory, and no execution happens twice.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field

from switchboard.code_execution import CodeBlock, CodeResult
from switchboard.errors import PermanentError
from switchboard.models.chat import ChatMessage
from switchboard.protocol.input_messages import InputProvided, InputRequested, InputTimedOut, request_id_for
from switchboard.protocol.messages import TurnRequested
from switchboard.protocol.transcript import TranscriptEntry

MAX_REVIEW_BYTES = 32 * 1024
"""The most code a person is asked to review at once: the question carries it twice (prompt and arguments) in a
Service Bus message and on the run document, both of which have size limits; longer code is refused unasked."""


def too_long_to_review(code: str) -> CodeResult | None:
    """The refusal of code too long to put before a person, or None when it fits."""
    size = len(code.encode("utf-8"))
    if size <= MAX_REVIEW_BYTES:
        return None
    return CodeResult(
        exit_code=1,
        output=f"The code was not run: it is {size} bytes, and a person reviews at most {MAX_REVIEW_BYTES} bytes.",
    )


class ApprovalRequest(BaseModel):
    """What an approval function decides on (AutoGen's shape).

    Attributes:
        code: The blocks to run, as Markdown fences.
        context: The conversation the code answers.
    """

    code: str
    context: list[Annotated[ChatMessage, Field(discriminator="role")]]


class ApprovalResponse(BaseModel):
    """An approval function's decision (AutoGen's shape)."""

    approved: bool
    reason: str


ApprovalFunc = Callable[[ApprovalRequest], ApprovalResponse | Awaitable[ApprovalResponse | None] | None]
"""Decides an execution; returning None asks a person instead (a durable pause)."""


async def decide(func: ApprovalFunc, request: ApprovalRequest) -> ApprovalResponse | None:
    """Call `func` (sync or async) on `request`."""
    decision = func(request)
    if inspect.isawaitable(decision):
        decision = await decision
    return decision


def not_approved(reason: str) -> CodeResult:
    """The result of an execution that was not allowed to run (AutoGen's wording)."""
    return CodeResult(exit_code=1, output=f"Code execution was not approved. Reason: {reason}")


class CodeApprovalRequiredError(PermanentError):
    """An execution waits for a person's decision; a team turn catches it and pauses the run."""

    def __init__(self, index: int, blocks: Sequence[CodeBlock]) -> None:
        super().__init__(f"running code needs a person's approval (execution {index} of the turn)")
        self.index = index
        self.blocks = list(blocks)


class CodeTurn(BaseModel):
    """A turn in progress, kept in the agent's state while an execution waits for a decision.

    Attributes:
        team: The team (manager) to answer.
        turn: The turn number to answer with.
        reply_to: Who asked for the turn.
        new_messages: The transcript entries the turn started with.
        chats: The model replies of the turn so far, in call order (JSON).
        results: The execution results of the turn so far, in order (JSON).
        decisions: Per execution index: True (run it) or the reason it may not run.
        request_id: The open question, while waiting.
        waiting: The execution index waiting for a decision.
    """

    team: str
    turn: int
    reply_to: str
    new_messages: list[TranscriptEntry] = Field(default_factory=list)
    chats: list[dict[str, Any]] = Field(default_factory=list)
    results: list[dict[str, Any]] = Field(default_factory=list)
    decisions: dict[int, bool | str] = Field(default_factory=dict)
    request_id: str | None = None
    waiting: int | None = None


def resume_code_turn(
    pending: CodeTurn | None,
    message: TurnRequested | InputProvided | InputTimedOut,
    *,
    sender: str | None,
    timeout_seconds: float | None,
) -> CodeTurn | None:
    """The turn a message starts or resumes; None for a stale answer (not the open question)."""
    if isinstance(message, TurnRequested):
        return CodeTurn(
            team=message.team,
            turn=message.turn,
            reply_to=sender or message.team,
            new_messages=list(message.new_messages),
        )
    if pending is None or pending.request_id is None or message.request_id != pending.request_id:
        return None
    assert pending.waiting is not None
    decision: bool | str
    if isinstance(message, InputTimedOut):
        decision = f"nobody approved it within {timeout_seconds or 0:g} s"
    elif message.approve:
        decision = True
    else:
        decision = "a person denied it"
    return pending.model_copy(
        update={"decisions": {**pending.decisions, pending.waiting: decision}, "request_id": None, "waiting": None}
    )


def approval_question(
    turn: CodeTurn, need: CodeApprovalRequiredError, *, agent: str, message_id: str, timeout_seconds: float | None
) -> InputRequested:
    """Mark `turn` as waiting for `need`'s execution and return the question to publish."""
    code = "\n\n".join(f"```{block.language}\n{block.code}\n```" for block in need.blocks)
    request_id = request_id_for(agent, message_id, f"code-{need.index}")
    turn.request_id = request_id
    turn.waiting = need.index
    return InputRequested(
        request_id=request_id,
        agent=agent,
        team=turn.team,
        kind="approval",
        prompt=f"{agent} wants to run this code:\n{code}\nApprove?",
        tool="code_execution",  # CODE_TOOL of the agent module
        arguments=json.dumps({"code": code}),
        timeout_seconds=timeout_seconds,
        on_timeout="deny",
    )
