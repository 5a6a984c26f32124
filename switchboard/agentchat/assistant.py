"""`AssistantAgent`: an LLM participant with tools, a bounded tool loop, structured output and a windowed context."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from switchboard.agent import Agent, AgentContext, AgentState, CancellationToken
from switchboard.agentchat.approval import ApprovalRequiredError, PendingTurn, TurnReplay, resume_turn
from switchboard.agentchat.handoff import Handoff
from switchboard.agentchat.memory_recall import Recall, recall
from switchboard.agentchat.model_context import BufferedModelContext, ModelContext
from switchboard.agentchat.scrubbing import transcript_scrubber
from switchboard.errors import AgentDefinitionError
from switchboard.memory.protocol import Memory
from switchboard.models.chat import (
    AssistantMessage,
    ChatMessage,
    ModelRequest,
    ModelResponse,
    ModelStep,
    ResponseFormat,
    ToolCall,
    ToolChoice,
    ToolResultMessage,
    Usage,
    UserMessage,
)
from switchboard.models.errors import StructuredOutputError
from switchboard.models.observed import observed_chat, observed_tool
from switchboard.models.protocol import ModelClient
from switchboard.protocol.input_messages import InputProvided, InputTimedOut
from switchboard.protocol.messages import TurnCompleted, TurnRequested
from switchboard.protocol.tool_activity import ToolActivity, tool_activity
from switchboard.protocol.transcript import EntryKind, TranscriptEntry
from switchboard.tools import FunctionTool, ToolLike, as_tool
from switchboard.tools.workbench import Workbench

_MAX_REPAIRS = 1
"""Rounds of 'that was not valid JSON, try again' before a structured reply fails the turn."""

DEFAULT_CONTEXT_SIZE = 32
"""Messages the default model context keeps, so a hosted assistant's state stays bounded on long runs."""


class AssistantState(AgentState):
    """What an assistant remembers in a run: the windowed conversation (so its state stays bounded) and counters.

    Attributes:
        history: The messages its model context keeps.
        turns: Turns taken.
        model_calls: Model calls made in the run; the next call's `ModelStep.index`.
        pending: The turn waiting for a tool approval, if any.
    """

    history: list[Annotated[ChatMessage, Field(discriminator="role")]] = Field(default_factory=list)
    turns: int = 0
    model_calls: int = 0
    pending: PendingTurn | None = None


class _Steps:
    """How one turn makes its calls: through the handler context's checkpoints when there is one, else directly."""

    def __init__(
        self,
        agent: str,
        ctx: AgentContext[AssistantState] | None,
        token: CancellationToken,
        replay: TurnReplay | None = None,
    ) -> None:
        self.agent = agent
        self.ctx = ctx
        self.token = token
        self.replay = replay or TurnReplay()

    async def chat(self, client: ModelClient, request: ModelRequest) -> ModelResponse:
        self.token.raise_if_cancelled()
        # A turn resumed after an approval replays the replies it got before pausing.
        reply = self.replay.replay_chat()
        if reply is None:
            reply = await self._chat(client, request)
            self.replay.record_chat(reply)
        return reply

    async def _chat(self, client: ModelClient, request: ModelRequest) -> ModelResponse:
        ctx = self.ctx
        if ctx is None:
            return await client.create(request)
        step = ModelStep(run_id=ctx.run_id, agent=self.agent, index=ctx.state.model_calls)
        ctx.state.model_calls += 1
        stepped = request.model_copy(update={"step": step})
        return await ctx.checkpoint(
            "chat",
            lambda: observed_chat(client, stepped),
            encode=lambda reply: reply.model_dump(mode="json"),
            decode=ModelResponse.model_validate,
        )

    async def tool(self, tool: FunctionTool, call: ToolCall) -> ToolResultMessage:
        self.token.raise_if_cancelled()
        result = self.replay.replay_tool()
        if result is None:
            denied = self.replay.approval(tool, call) if tool.approval == "always" else None
            result = denied or await self._tool(tool, call)
            self.replay.record_tool(result)
        return result

    async def _tool(self, tool: FunctionTool, call: ToolCall) -> ToolResultMessage:
        ctx = self.ctx
        if ctx is None:
            return await tool.run(call, cancellation_token=self.token)

        async def run() -> ToolResultMessage:
            assert ctx is not None
            # The key hashes the tool and its canonical arguments: a retry of the same call reuses it, another
            # call never shares it (switchboard/agent/effect_keys.py).
            key = ctx.steps.effect_key(tool.name, call.arguments) if tool.side_effects else None
            return await observed_tool(
                self.agent,
                ctx.run_id,
                call,
                lambda: tool.run(call, idempotency_key=key, cancellation_token=self.token, session_id=ctx.run_id),
            )

        result = await ctx.checkpoint(
            "tool", run, encode=lambda result: result.model_dump(mode="json"), decode=ToolResultMessage.model_validate
        )
        if tool.side_effects:
            ctx.steps.effect_settled(tool.name, call.arguments, succeeded=not result.is_error)
        return result


class AssistantAgent(Agent[AssistantState]):
    """A team participant backed by a chat model.

    On each `TurnRequested` it adds the new transcript entries to its history, calls the model through its
    context window, runs requested tools (at most `max_tool_iterations` rounds, then one last call without tools
    for the answer), and answers with a `TurnCompleted`. With `output_type` the answer is validated into that
    Pydantic model (one repair round is allowed) and `render` turns it into transcript text.

    With `handoffs`, the model also gets one `transfer_to_<target>` tool per target; calling one ends the turn
    with a `handoff` entry (other tools of that round still run), which a `Swarm` follows. With
    `reflect_on_tool_use=False` (AutoGen's default without structured output) the last tool round ends the turn with
    a `tool_summary` entry of the tool results instead of one more model call.

    Every model call and tool call is a checkpointed step (`AgentContext.checkpoint`): a redelivered turn replays
    them instead of calling again. Each model request carries its `ModelStep` (run, agent, the agent's model-call
    number in the run), and a side-effecting tool gets the step's idempotency key. The default model context keeps
    the last `DEFAULT_CONTEXT_SIZE` messages, so the persisted state stays bounded however long the run.

    With `memory`, each turn first asks every memory to update a scratch copy of the conversation (a checkpointed
    step too); what they recall is shown for that turn only, so it replaces the previous recall, and the turn's
    entry records it as `memory` events (`switchboard/agentchat/memory_recall.py`).
    """

    def __init__(
        self,
        name: str,
        *,
        model_client: ModelClient,
        system_message: str = "You are a helpful assistant.",
        description: str = "",
        tools: Sequence[ToolLike] = (),
        max_tool_iterations: int = 1,
        tool_choice: ToolChoice = "auto",
        output_type: type[BaseModel] | None = None,
        render: Callable[[Any], str] | None = None,
        model_context: ModelContext | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        handoffs: Sequence[Handoff | str] = (),
        reflect_on_tool_use: bool = True,
        memory: Sequence[Memory] = (),
        workbench: Workbench | Sequence[Workbench] | None = None,
    ) -> None:
        """Configure the assistant; see the class docstring for the loop."""
        super().__init__(name, description=description)
        function_tools = [as_tool(t, owner=name) for t in tools]  # plain typed functions become tools, as in AutoGen
        if max_tool_iterations < 1:
            raise AgentDefinitionError(f"{name}: max_tool_iterations must be >= 1")
        self.handoffs = {h.name: h for h in map(Handoff.of, handoffs)}
        names = [t.name for t in function_tools] + [h.name for h in map(Handoff.of, handoffs)]
        if len(set(names)) != len(names):
            raise AgentDefinitionError(f"{name}: tool and handoff names must be unique, got {names}")
        if tool_choice not in ("auto", "required", "none", *names):
            raise AgentDefinitionError(f"{name}: tool_choice {tool_choice!r} names no tool of this agent")
        self.model_client = model_client
        self.system_message = system_message
        self.tools = {t.name: t for t in function_tools}
        self.max_tool_iterations = max_tool_iterations
        self.tool_choice = tool_choice
        self.output_type = output_type
        self.render = render or (lambda output: output.model_dump_json())
        self.model_context: ModelContext = model_context or BufferedModelContext(DEFAULT_CONTEXT_SIZE)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.reflect_on_tool_use = reflect_on_tool_use
        self.memory = list(memory)
        # AutoGen's workbench=: tools listed on the first turn (listing is async), then run like the agent's own.
        self.workbenches: list[Workbench] = (
            [] if workbench is None else [workbench] if isinstance(workbench, Workbench) else list(workbench)
        )
        self._listed = not self.workbenches

    async def handle(
        self, message: TurnRequested | InputProvided | InputTimedOut, ctx: AgentContext[AssistantState]
    ) -> None:
        """Take one turn and answer the manager; a tool needing approval pauses the turn until it is decided."""
        turn = resume_turn(ctx.state.pending, message, sender=ctx.sender)
        if turn is None:
            return  # an answer to a question that is no longer open
        history = [*ctx.state.history, *(self._as_chat(entry) for entry in turn.new_messages)]
        replay = TurnReplay(turn)
        recalled = await recall(self.memory, history, agent=self.name, ctx=ctx, cancellation=ctx.cancellation)
        try:
            entry = recalled.record(
                await self._respond(history, _Steps(self.name, ctx, ctx.cancellation, replay), recalled)
            )
        except ApprovalRequiredError as need:
            ctx.publish(replay.pause(need, agent=self.name, message_id=ctx.envelope.message_id))
            ctx.state.pending = turn
            return
        ctx.state.pending = None
        history.append(AssistantMessage(content=entry.content, source=self.name))
        ctx.state.history = self.model_context.window(history)
        ctx.state.turns += 1
        ctx.send(TurnCompleted(team=turn.team, turn=turn.turn, entry=entry), to=turn.reply_to)

    async def respond(
        self, history: Sequence[ChatMessage], *, cancellation: CancellationToken | None = None
    ) -> TranscriptEntry:
        """Produce this agent's next transcript entry from its conversation `history`, outside any host.

        The calls are made directly (no checkpoints); a side-effecting tool gets a fresh idempotency key.

        Raises:
            CancelledError: The run was cancelled (checked before every model and tool call).
        """
        token = cancellation or CancellationToken()
        recalled = await recall(self.memory, history, agent=self.name, ctx=None, cancellation=token)
        return recalled.record(await self._respond(history, _Steps(self.name, None, token), recalled))

    async def _respond(self, history: Sequence[ChatMessage], steps: _Steps, recalled: Recall) -> TranscriptEntry:
        await self._list_workbench_tools()
        activity: list[ToolActivity] = []
        entry = await self._turn(history, steps, activity, recalled)
        return entry.model_copy(update={"tool_activity": tuple(activity)}) if activity else entry

    async def _turn(
        self, history: Sequence[ChatMessage], steps: _Steps, activity: list[ToolActivity], recalled: Recall
    ) -> TranscriptEntry:
        working = recalled.context(self.system_message, self.model_context.window(history))
        usage = Usage()
        called: list[str] = []
        rounds = 0
        while True:
            use_tools = bool(self.tools or self.handoffs) and rounds < self.max_tool_iterations
            choice: ToolChoice = self.tool_choice if rounds == 0 else "auto"
            reply = await self._call(working, steps, use_tools=use_tools, tool_choice=choice, structured=not use_tools)
            usage += reply.usage
            if use_tools and reply.tool_calls:
                working.append(AssistantMessage(content=reply.content, tool_calls=reply.tool_calls, source=self.name))
                results: list[ToolResultMessage] = []
                handoff: Handoff | None = None
                for call in reply.tool_calls:
                    called.append(call.name)
                    if call.name in self.handoffs:
                        # As in AutoGen, the first handoff of a round wins; its tool result is its message.
                        handoff = handoff or self.handoffs[call.name]
                        result = ToolResultMessage(
                            tool_call_id=call.id, name=call.name, content=self.handoffs[call.name].message
                        )
                    else:
                        result = await self._run_tool(call, steps)
                    results.append(result)
                    working.append(result)
                    activity.append(tool_activity(call, result, transcript_scrubber()))
                rounds += 1
                if handoff is not None:
                    return self._entry(handoff.message, "handoff", usage, called, reply, rounds, target=handoff.target)
                if not self.reflect_on_tool_use and rounds >= self.max_tool_iterations:
                    summary = "\n".join(r.content for r in results)
                    return self._entry(summary, "tool_summary", usage, called, reply, rounds)
                continue
            break
        if self.output_type is None:
            return self._entry(reply.content or "", "text", usage, called, reply, rounds)
        output, extra = await self._structured(working, reply, steps)
        data = output.model_dump(mode="json")
        return TranscriptEntry(
            source=self.name,
            content=self.render(output),
            kind="structured",
            data=data,
            usage=usage + extra,
            tool_calls=tuple(called),
            model=reply.model or None,
            tool_rounds=rounds,
        )

    def _entry(
        self,
        content: str,
        kind: EntryKind,
        usage: Usage,
        called: list[str],
        reply: ModelResponse,
        rounds: int,
        *,
        target: str | None = None,
    ) -> TranscriptEntry:
        return TranscriptEntry(
            source=self.name,
            content=content,
            kind=kind,
            usage=usage,
            tool_calls=tuple(called),
            target=target,
            model=reply.model or None,
            tool_rounds=rounds,
        )

    async def _structured(
        self, working: list[ChatMessage], reply: ModelResponse, steps: _Steps
    ) -> tuple[BaseModel, Usage]:
        assert self.output_type is not None
        extra = Usage()
        repairs = 0
        while True:
            try:
                return self.output_type.model_validate(_loads_lenient(reply.content or "")), extra
            except (ValueError, ValidationError) as error:
                if repairs >= _MAX_REPAIRS:
                    raise StructuredOutputError(
                        f"{self.name}: reply does not match {self.output_type.__name__}: {_summary(error)}"
                    ) from error
                repairs += 1
                hint = f"That reply was not valid {self.output_type.__name__} JSON: {error}. Answer with JSON only."
                working = [
                    *working,
                    AssistantMessage(content=reply.content, source=self.name),
                    UserMessage(content=hint, source="validator"),
                ]
            reply = await self._call(working, steps, use_tools=False, tool_choice="auto", structured=True)
            extra += reply.usage

    async def _call(
        self,
        messages: list[ChatMessage],
        steps: _Steps,
        *,
        use_tools: bool,
        tool_choice: ToolChoice,
        structured: bool,
    ) -> ModelResponse:
        fmt = None
        if structured and self.output_type is not None:
            fmt = ResponseFormat(name=self.output_type.__name__, json_schema=self.output_type.model_json_schema())
        request = ModelRequest(
            messages=tuple(messages),
            tools=(*(t.spec for t in self.tools.values()), *(h.spec for h in self.handoffs.values()))
            if use_tools
            else (),
            tool_choice=tool_choice if use_tools else "auto",
            response_format=fmt,
            agent=self.name,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
        )
        return await steps.chat(self.model_client, request)

    async def _list_workbench_tools(self) -> None:
        if self._listed:
            return
        listed = [tool for bench in self.workbenches for tool in await bench.tools()]
        names = [*self.tools, *self.handoffs, *(t.name for t in listed)]
        if len(set(names)) != len(names):
            raise AgentDefinitionError(f"{self.name}: workbench tools clash with its tools or handoffs: {names}")
        self.tools.update((tool.name, tool) for tool in listed)
        self._listed = True

    async def _run_tool(self, call: ToolCall, steps: _Steps) -> ToolResultMessage:
        tool = self.tools.get(call.name)
        if tool is None:
            # Models invent tool names; tell it, rather than failing the turn.
            return ToolResultMessage(
                tool_call_id=call.id, name=call.name, content=f"unknown tool {call.name!r}", is_error=True
            )
        return await steps.tool(tool, call)

    def _as_chat(self, entry: TranscriptEntry) -> ChatMessage:
        if entry.source == self.name:
            return AssistantMessage(content=entry.content, source=self.name)
        return UserMessage(content=entry.content, source=entry.source)


def _loads_lenient(text: str) -> Any:
    """Parse a model's JSON reply, tolerating Markdown fences and raw control characters inside strings."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    return json.loads(body, strict=False)


def _summary(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in error.errors())[:300]
    return f"not JSON ({type(error).__name__})"
