"""`CodeExecutorAgent`: runs the code blocks of a team's messages (or of its own model's replies), durably.

AutoGen's agent, with its parameters, made safe to host:
- Only code from `sources` runs (without a model client): a block in anyone else's message is not code to run. With
  a model client the agent runs only what its own model wrote.
- Nothing runs unapproved: `approval_func` decides (AutoGen's shape), or — without one, or when it returns None — a
  person does, through the durable human-in-the-loop pause (`code_approval`).
- Every execution is a checkpointed step: a redelivered message (a host killed after the code ran, before the hop
  committed) replays the stored result and never runs the code again.
- The session is the run's (`code_sessions`): variables and files live under the run id in the executor, so the next
  turn — on any host, after any restart — finds them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.agentchat.code_approval import (
    ApprovalFunc,
    ApprovalRequest,
    ApprovalResponse,
    CodeApprovalRequiredError,
    CodeTurn,
    approval_question,
    decide,
    not_approved,
    resume_code_turn,
    too_long_to_review,
)
from switchboard.agentchat.code_blocks import (
    DEFAULT_LANGUAGES,
    NO_CODE_BLOCKS,
    code_block_pattern,
    decode_result,
    describe,
    encode_result,
    extract_code_blocks,
    fenced,
)
from switchboard.agentchat.code_sessions import SessionScoped, execute_for_run, session_of
from switchboard.agentchat.model_context import BufferedModelContext, ModelContext
from switchboard.code_execution import CodeBlock, CodeExecutor, CodeResult
from switchboard.errors import AgentDefinitionError
from switchboard.instrumentation import current
from switchboard.models.chat import (
    AssistantMessage,
    ChatMessage,
    ModelRequest,
    ModelResponse,
    ModelStep,
    ResponseFormat,
    SystemMessage,
    Usage,
    UserMessage,
)
from switchboard.models.observed import observed_chat
from switchboard.models.protocol import ModelClient
from switchboard.protocol.input_messages import InputProvided, InputTimedOut
from switchboard.protocol.messages import TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry

TERMINAL_DESCRIPTION = (
    "A computer terminal that performs no other action than running Python scripts (provided to it quoted in "
    "```python code blocks), or sh shell scripts (provided to it quoted in ```sh code blocks)."
)
AGENT_DESCRIPTION = (
    "A Code Execution Agent that generates and executes Python and shell scripts based on user instructions. It "
    "ensures correctness, efficiency, and minimal errors while gracefully handling edge cases."
)
SYSTEM_MESSAGE = (
    "You are a Code Execution Agent. Your role is to generate and execute Python code and shell scripts based on "
    "user instructions, ensuring correctness, efficiency, and minimal errors. Handle edge cases gracefully. Python "
    "code should be provided in ```python code blocks, and sh shell scripts should be provided in ```sh code blocks "
    "for execution."
)
CODE_TOOL = "code_execution"
"""The tool name of executions in spans and approval questions."""
RETRY_PROMPT = (
    "The most recent code execution resulted in an error:\n{output}\n\nShould we attempt to resolve it? Please "
    "respond with:\n- A boolean value for 'retry' indicating whether it should be retried.\n- A detailed explanation "
    "in 'reason' that identifies the issue, justifies your decision to retry or not, and outlines how you would "
    "resolve the error if a retry is attempted."
)


class RetryDecision(BaseModel):
    """The model's answer to "should we try again?" after a failed execution (AutoGen's shape)."""

    reason: str
    retry: bool


class CodeExecutorState(AgentState):
    """What a code executor agent remembers in a run.

    Attributes:
        history: The messages its model context keeps (with a model client).
        turns: Turns taken.
        model_calls: Model calls made in the run; the next call's `ModelStep.index`.
        executions: Code executions made in the run.
        pending: The turn waiting for an approval, if any.
    """

    history: list[Annotated[ChatMessage, Field(discriminator="role")]] = Field(default_factory=list)
    turns: int = 0
    model_calls: int = 0
    executions: int = 0
    pending: CodeTurn | None = None


class CodeExecutorAgent(Agent[CodeExecutorState]):
    """A participant that runs code: from `sources`' messages, or written by its own model (with retries).

    Example:
        >>> executor = CodeExecutorAgent(
        ...     "executor", PerRunExecutor(lambda run: LocalCommandLineCodeExecutor(work_dir=base / run)),
        ...     sources=["coder"],
        ... )
    """

    def __init__(
        self,
        name: str,
        code_executor: CodeExecutor | SessionScoped,
        *,
        model_client: ModelClient | None = None,
        model_context: ModelContext | None = None,
        max_retries_on_error: int = 0,
        description: str | None = None,
        system_message: str | None = SYSTEM_MESSAGE,
        sources: Sequence[str] | None = None,
        supported_languages: Sequence[str] | None = None,
        approval_func: ApprovalFunc | None = None,
        approval_timeout: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        """Configure the agent.

        Args:
            name: The agent's name.
            code_executor: Runs the code; scoped per run when it has `for_session` (see `PerRunExecutor`).
            model_client: Writes the code (and reflects on its result); without one the agent runs others' code.
            model_context: The window of history the model sees (default: the last 32 messages).
            max_retries_on_error: With a model client, how often a failed execution may be rewritten and rerun.
            description: What the agent does (default: AutoGen's, for a terminal or for a coding agent).
            system_message: The model's system message (None for none).
            sources: Without a model client, the participants whose code blocks may run (None: any).
            supported_languages: The fence languages that are code to run (default: python, sh).
            approval_func: Decides each execution; None (or a None answer) asks a person durably.
            approval_timeout: Seconds a person may take to decide; then the execution is denied. None: no limit.
            max_tokens: Completion limit of each model call.

        Raises:
            AgentDefinitionError: Retries without a model client, no languages, or an empty `sources`.
        """
        super().__init__(
            name, description=description or (AGENT_DESCRIPTION if model_client is not None else TERMINAL_DESCRIPTION)
        )
        if max_retries_on_error < 0 or (max_retries_on_error > 0 and model_client is None):
            raise AgentDefinitionError(f"{name}: max_retries_on_error needs a model client and must be >= 0")
        languages = tuple(supported_languages if supported_languages is not None else DEFAULT_LANGUAGES)
        if not languages:
            raise AgentDefinitionError(f"{name}: supported_languages must name at least one language")
        if sources is not None and not sources:
            raise AgentDefinitionError(f"{name}: sources=[] would run nobody's code; give names or None")
        if approval_timeout is not None and approval_timeout <= 0:
            raise AgentDefinitionError(f"{name}: approval_timeout must be positive seconds")
        self.code_executor = session_of(code_executor)
        self.model_client = model_client
        self.model_context: ModelContext = model_context or BufferedModelContext(32)
        self.max_retries_on_error = max_retries_on_error
        self.system_message = system_message
        self.sources = tuple(sources) if sources is not None else None
        self.supported_languages = languages
        self.approval_func = approval_func
        self.approval_timeout = approval_timeout
        self.max_tokens = max_tokens
        self._pattern = code_block_pattern(languages)

    async def handle(
        self, message: TurnRequested | InputProvided | InputTimedOut, ctx: AgentContext[CodeExecutorState]
    ) -> None:
        """Take one turn; an execution waiting for a person pauses the turn until it is decided."""
        turn = resume_code_turn(ctx.state.pending, message, sender=ctx.sender, timeout_seconds=self.approval_timeout)
        if turn is None:
            return  # an answer to a question that is no longer open
        history = [*ctx.state.history, *(self._as_chat(entry) for entry in turn.new_messages)]
        steps = _Steps(self, ctx, turn)
        try:
            entry = await self._respond(turn, history, steps)
        except CodeApprovalRequiredError as need:
            ctx.publish(
                approval_question(
                    turn,
                    need,
                    agent=self.name,
                    message_id=ctx.envelope.message_id,
                    timeout_seconds=self.approval_timeout,
                )
            )
            ctx.state.pending = turn
            return
        ctx.state.pending = None
        if self.model_client is not None:
            history = [*steps.working[1 if self.system_message is not None else 0 :]]
            ctx.state.history = self.model_context.window(history)
        ctx.state.turns += 1
        ctx.send(TurnCompleted(team=turn.team, turn=turn.turn, entry=entry), to=turn.reply_to)

    def code_blocks(self, entries: Sequence[TranscriptEntry]) -> list[CodeBlock]:
        """The blocks of `entries` this agent may run: from `sources` only, in a supported language."""
        return [
            block
            for entry in entries
            if entry.source != self.name and (self.sources is None or entry.source in self.sources)
            for block in extract_code_blocks(entry.content, self._pattern)
        ]

    async def _respond(self, turn: CodeTurn, history: list[ChatMessage], steps: _Steps) -> TranscriptEntry:
        if self.model_client is None:
            blocks = self.code_blocks(turn.new_messages)
            if not blocks:
                return TranscriptEntry(source=self.name, content=NO_CODE_BLOCKS)
            result = await steps.execute(blocks, history)
            return TranscriptEntry(source=self.name, content=describe(result))
        return await self._write_and_run(history, steps)

    async def _write_and_run(self, history: list[ChatMessage], steps: _Steps) -> TranscriptEntry:
        system = [SystemMessage(content=self.system_message)] if self.system_message is not None else []
        steps.working = [*system, *self.model_context.window(history)]
        usage = Usage()
        for attempt in range(self.max_retries_on_error + 1):
            reply = await steps.chat(steps.working)
            usage += reply.usage
            steps.working.append(AssistantMessage(content=reply.content, source=self.name))
            blocks = extract_code_blocks(reply.content or "", self._pattern)
            if not blocks:
                return self._entry(reply.content or "", usage, reply)
            result = await steps.execute(blocks, steps.working)
            steps.working.append(UserMessage(content=describe(result), source=self.name))
            if result.exit_code == 0 or attempt == self.max_retries_on_error:
                break
            prompt = UserMessage(content=RETRY_PROMPT.format(output=result.output), source=self.name)
            answer = await steps.chat([*steps.working, prompt], structured=True)
            usage += answer.usage
            decision = _retry_decision(answer)
            if not decision.retry:
                break
            correction = f"Attempt number: {attempt + 1}\nProposed correction: {decision.reason}"
            steps.working.append(UserMessage(content=correction, source=self.name))
        reflection = await steps.chat(steps.working)
        usage += reflection.usage
        steps.working.append(AssistantMessage(content=reflection.content, source=self.name))
        return self._entry(reflection.content or "", usage, reflection)

    def _entry(self, content: str, usage: Usage, reply: ModelResponse) -> TranscriptEntry:
        return TranscriptEntry(source=self.name, content=content, usage=usage, model=reply.model or None)

    def _as_chat(self, entry: TranscriptEntry) -> ChatMessage:
        if entry.source == self.name:
            return AssistantMessage(content=entry.content, source=self.name)
        return UserMessage(content=entry.content, source=entry.source)


def _retry_decision(reply: ModelResponse) -> RetryDecision:
    """The model's retry decision; an unreadable one means "do not retry" (the failure is reported as it is)."""
    text = (reply.content or "").strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    try:
        return RetryDecision.model_validate(json.loads(text, strict=False))
    except (ValueError, ValidationError):
        return RetryDecision(reason="the retry decision was not readable", retry=False)


class _Steps:
    """The checkpointed steps of one turn: model calls and executions, replayed when a paused turn resumes."""

    def __init__(self, agent: CodeExecutorAgent, ctx: AgentContext[CodeExecutorState], turn: CodeTurn) -> None:
        self.agent = agent
        self.ctx = ctx
        self.turn = turn
        self.working: list[ChatMessage] = []
        self._chat = 0
        self._execution = 0

    async def chat(self, messages: list[ChatMessage], *, structured: bool = False) -> ModelResponse:
        self.ctx.cancellation.raise_if_cancelled()
        if self._chat < len(self.turn.chats):
            self._chat += 1
            return ModelResponse.model_validate(self.turn.chats[self._chat - 1])
        client = self.agent.model_client
        assert client is not None
        fmt = (
            ResponseFormat(name="RetryDecision", json_schema=RetryDecision.model_json_schema()) if structured else None
        )
        ctx = self.ctx
        step = ModelStep(run_id=ctx.run_id, agent=self.agent.name, index=ctx.state.model_calls)
        ctx.state.model_calls += 1
        request = ModelRequest(
            messages=tuple(messages),
            response_format=fmt,
            agent=self.agent.name,
            max_tokens=self.agent.max_tokens,
            step=step,
        )
        reply = await ctx.checkpoint(
            "chat",
            lambda: observed_chat(client, request),
            encode=lambda r: r.model_dump(mode="json"),
            decode=ModelResponse.model_validate,
        )
        self.turn.chats.append(reply.model_dump(mode="json"))
        self._chat += 1
        return reply

    async def execute(self, blocks: list[CodeBlock], context: list[ChatMessage]) -> CodeResult:
        """The result of running `blocks`: replayed, denied, or run once as a checkpointed step.

        Raises:
            CodeApprovalRequiredError: A person must decide first (the turn pauses).
        """
        self.ctx.cancellation.raise_if_cancelled()
        index = self._execution
        self._execution += 1
        if index < len(self.turn.results):
            return decode_result(self.turn.results[index])
        decision = self.turn.decisions.get(index)
        if decision is None and self.agent.approval_func is not None:
            func = self.agent.approval_func
            request = ApprovalRequest(code=fenced(blocks), context=list(context))
            # A policy may itself be a model call: checkpointed, so a redelivery does not ask it again.
            answer = await self.ctx.checkpoint(
                "approval",
                lambda: decide(func, request),
                encode=lambda r: r.model_dump(mode="json") if r is not None else None,
                decode=lambda d: ApprovalResponse.model_validate(d) if d is not None else None,
            )
            if answer is not None:
                decision = True if answer.approved else answer.reason
        if decision is None:
            refused = too_long_to_review(fenced(blocks))
            if refused is not None:
                self.turn.results.append(encode_result(refused))
                return refused
            raise CodeApprovalRequiredError(index, blocks)
        if decision is not True:
            result = not_approved(str(decision))
        else:
            result = await self._run(blocks)
        self.turn.results.append(encode_result(result))
        return result

    async def _run(self, blocks: list[CodeBlock]) -> CodeResult:
        ctx = self.ctx
        executor = self.agent.code_executor
        call_id = f"code-{ctx.state.executions}"
        ctx.state.executions += 1

        async def run() -> CodeResult:
            # An `execute_tool code_execution` span per real execution (a replayed one makes none); the code is
            # exported only when content capture is opted in, as tool arguments are.
            with current().execute_tool(
                agent=self.agent.name,
                run_id=ctx.run_id,
                tool=CODE_TOOL,
                call_id=call_id,
                arguments=lambda: json.dumps({"code": fenced(blocks)}),
            ) as span:
                result = await execute_for_run(executor, ctx.run_id, blocks, ctx.cancellation)
                if result.exit_code != 0:
                    span.fail("CodeError")
            return result

        return await ctx.checkpoint("code", run, encode=encode_result, decode=decode_result)
