"""`MagenticOneGroupChat`: an orchestrator model plans, picks each speaker, notices stalls and replans.

As AutoGen's orchestrator: on the task it asks its model for the facts and a plan (the task ledger) and posts the
ledger to the team; then, after every participant's turn, for the progress ledger (is the request satisfied, is
progress made, is the team looping, who speaks next and with what instruction). It posts the instruction and asks
that participant. Each turn without progress (or in a loop) adds a stall, each turn with progress removes one;
`max_stalls` stalls update the facts and the plan and restart from the new ledger. When the request is satisfied,
or after `max_turns` rounds, it asks for the final answer, posts it and stops.

One round per hop: after a replan the orchestrator sends itself `RoundContinued` and ends the hop, where AutoGen
loops on in the same call, so a hop makes a bounded number of model calls (at most the plan's two, the ledger's
`max_json_retries` and the replan's two) and writes at most three entries, however long the team stalls. The
messages, entries and model calls are the same as in one long loop.

Every orchestrator call is a checkpointed step of the manager (a redelivered message replays it) and counted in
the run's usage under the team's name, so token and cost budgets see it. The ledgers live in the manager's
persisted state (a few model answers); the conversation it reasons over is read from the transcript, windowed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from switchboard.agent import Agent, AgentContext
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import AssistantMessage, ChatMessage, ModelRequest, UserMessage
from switchboard.models.protocol import ModelClient
from switchboard.protocol.continuation import RoundContinued
from switchboard.protocol.messages import RunCompleted, TaskSubmitted, TurnCompleted
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams import magentic_prompts as prompts
from switchboard.teams.aliases import pick_termination
from switchboard.teams.errors import TeamError
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.magentic_state import MagenticOneState
from switchboard.teams.manager import GroupChatManager, SpeakerSelection, TeamState
from switchboard.teams.nested import as_participants
from switchboard.teams.team import Team
from switchboard.termination import RunDelta, TerminationCondition

MAX_ROUNDS_REASON = "Max rounds reached."
# What a round returns after replanning: the next round runs in a hop of its own (`RoundContinued`).
_REPLANNED = "\x00replanned"


class LedgerError(TeamError):
    """The orchestrator's model gave no valid progress ledger in `max_json_retries` attempts."""


class MagenticOneOrchestrator(GroupChatManager):
    """The Magentic-One orchestrator as a team manager agent (see the module docstring)."""

    kind = "Magentic-One"
    state_type = MagenticOneState

    def __init__(
        self,
        name: str,
        participants: Sequence[str],
        descriptions: Sequence[str],
        model_client: ModelClient,
        *,
        termination: TerminationCondition | None = None,
        max_turns: int | None = 20,
        max_stalls: int = 3,
        max_json_retries: int = 10,
        context_window: int = 40,
    ) -> None:
        """Orchestrate `participants` (described by `descriptions`, in the same order) with `model_client`."""
        if max_turns is not None and max_turns < 1:
            raise AgentDefinitionError(f"team {name!r}: max_turns must be >= 1")
        if max_stalls < 1 or max_json_retries < 1:
            raise AgentDefinitionError(f"team {name!r}: max_stalls and max_json_retries must be >= 1")
        super().__init__(name, participants, termination=termination, max_turns=max_turns or 1)
        self.max_turns = max_turns
        self.model_client = model_client
        self.max_stalls = max_stalls
        self.max_json_retries = max_json_retries
        self.context_window = context_window
        self.team = "\n".join(f"{n}: {d}" for n, d in zip(participants, descriptions, strict=True))

    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """Not used: the progress ledger names the speaker (see `handle`)."""
        raise NotImplementedError("MagenticOneOrchestrator chooses speakers in handle()")

    async def handle(
        self, message: TaskSubmitted | TurnCompleted | RoundContinued, ctx: AgentContext[TeamState]
    ) -> None:
        """Plan on the task; after each turn (or replan), one progress-ledger round: ask the next speaker or finish."""
        state = ctx.state
        assert isinstance(state, MagenticOneState)
        if isinstance(message, RoundContinued):
            if state.stop_reason is not None or (message.team, message.turn, message.round) != (
                self.name,
                state.turn,
                state.n_rounds,
            ):
                return  # a redelivered or stale continuation
            last = await ctx.transcript.since(state.length - 1)
            await self._round(ctx, SpeakerSelection(self.name, ctx, TranscriptEntry.model_validate(last[-1])))
            return
        if isinstance(message, TaskSubmitted):
            if state.started:
                return  # a redelivered start
            state.started = True
            entry = TranscriptEntry(source="user", content=message.task, kind="task")
        else:
            if state.stop_reason is not None or message.turn != state.turn or message.team != self.name:
                return  # late, duplicated or foreign answer
            entry = message.entry
            state.turn += 1
        self._record(ctx, entry)
        await self._check(ctx, RunDelta(entries=(entry,), now=ctx.now()))
        selection = SpeakerSelection(self.name, ctx, entry)
        if state.stop_reason is None and isinstance(message, TaskSubmitted):
            await self._plan(selection, message.task)
        await self._round(ctx, selection)

    async def _round(self, ctx: AgentContext[TeamState], selection: SpeakerSelection) -> None:
        """One orchestrator round, then ask the speaker it names, continue in a new hop, or end the run."""
        state = _state(selection)
        outcome: str | None = None
        if state.stop_reason is None:
            outcome = await self._orchestrate(selection)
        reason = state.stop_reason
        if selection.calls:
            await self._check(ctx, RunDelta(calls=tuple(selection.calls), now=ctx.now()))
        # A budget that fired on the orchestrator's own calls wins; else the ledger's own ending stands.
        state.stop_reason = state.stop_reason or reason
        if state.stop_reason is None and outcome is _REPLANNED:
            # The next round is a hop of its own, so no hop loops over an unbounded number of rounds.
            ctx.send(RoundContinued(team=self.name, turn=state.turn, round=state.n_rounds), to=self.name)
            return
        if state.stop_reason is None and outcome is not None:
            await self._ask(ctx, outcome)
            return
        ctx.publish(
            RunCompleted(
                team=self.name, stop_reason=state.stop_reason or "", usage=dict(state.usage), entry_count=state.length
            )
        )

    async def _chat(self, selection: SpeakerSelection, messages: list[ChatMessage]) -> str:
        reply = await selection.chat(self.model_client, ModelRequest(messages=tuple(messages)))
        return reply.content or ""

    async def _plan(self, selection: SpeakerSelection, task: str) -> None:
        state = _state(selection)
        state.task = task
        asked: list[ChatMessage] = [UserMessage(content=prompts.facts_prompt(task), source=self.name)]
        state.facts = await self._chat(selection, asked)
        asked += [
            AssistantMessage(content=state.facts, source=self.name),
            UserMessage(content=prompts.plan_prompt(self.team), source=self.name),
        ]
        state.plan = await self._chat(selection, asked)
        state.n_stalls = 0
        self._post_ledger(selection)

    def _post_ledger(self, selection: SpeakerSelection) -> None:
        state = _state(selection)
        # The thread the orchestrator reasons over restarts at the new ledger (AutoGen clears its thread here).
        state.thread_start = state.length
        text = prompts.ledger_text(state.task, self.team, state.facts, state.plan)
        self._record(selection.ctx, TranscriptEntry(source=self.name, content=text))

    async def _orchestrate(self, selection: SpeakerSelection) -> str | None:
        """One round: returns the next speaker, `_REPLANNED` after a replan, or None when the run ends."""
        state = _state(selection)
        if self.max_turns is not None and state.n_rounds > self.max_turns:
            await self._final_answer(selection, MAX_ROUNDS_REASON)
            return None
        state.n_rounds += 1
        thread = await self._thread(selection)
        ask = prompts.progress_prompt(state.task, self.team, self.participants)
        ledger = await self._progress_ledger(selection, [*thread, UserMessage(content=ask, source=self.name)])
        if ledger["is_request_satisfied"]["answer"]:
            await self._final_answer(selection, str(ledger["is_request_satisfied"]["reason"]))
            return None
        stalled = not ledger["is_progress_being_made"]["answer"] or ledger["is_in_loop"]["answer"]
        state.n_stalls = state.n_stalls + 1 if stalled else max(0, state.n_stalls - 1)
        if state.n_stalls < self.max_stalls:
            instruction = str(ledger["instruction_or_question"]["answer"])
            self._record(selection.ctx, TranscriptEntry(source=self.name, content=instruction))
            return str(ledger["next_speaker"]["answer"])
        await self._replan(selection, thread)
        return _REPLANNED

    async def _replan(self, selection: SpeakerSelection, thread: list[ChatMessage]) -> None:
        state = _state(selection)
        asked = [*thread, UserMessage(content=prompts.update_facts_prompt(state.task, state.facts), source=self.name)]
        state.facts = await self._chat(selection, asked)
        asked += [
            AssistantMessage(content=state.facts, source=self.name),
            UserMessage(content=prompts.update_plan_prompt(self.team), source=self.name),
        ]
        state.plan = await self._chat(selection, asked)
        state.replans += 1
        self._post_ledger(selection)

    async def _progress_ledger(self, selection: SpeakerSelection, context: list[ChatMessage]) -> dict[str, Any]:
        for _ in range(self.max_json_retries):
            ledger = _parse_ledger(await self._chat(selection, context))
            if ledger is None:
                continue
            if len(self.participants) == 1:
                ledger["next_speaker"] = {"reason": "The team has one member.", "answer": self.participants[0]}
            if ledger["is_request_satisfied"]["answer"] or ledger["next_speaker"]["answer"] in self.participants:
                return ledger
        raise LedgerError(f"team {self.name!r}: no valid progress ledger after {self.max_json_retries} attempts")

    async def _final_answer(self, selection: SpeakerSelection, reason: str) -> None:
        state = _state(selection)
        thread = await self._thread(selection)
        ask = UserMessage(content=prompts.final_answer_prompt(state.task), source=self.name)
        answer = await self._chat(selection, [*thread, ask])
        self._record(selection.ctx, TranscriptEntry(source=self.name, content=answer))
        state.stop_reason = reason

    async def _thread(self, selection: SpeakerSelection) -> list[ChatMessage]:
        state = _state(selection)
        start = max(state.thread_start, state.length - self.context_window)
        entries = [TranscriptEntry.model_validate(e) for e in await selection.ctx.transcript.since(start)]
        return [
            AssistantMessage(content=e.content, source=self.name)
            if e.source == self.name
            else UserMessage(content=e.content, source=e.source)
            for e in entries
        ]


def _state(selection: SpeakerSelection) -> MagenticOneState:
    state = selection.state
    assert isinstance(state, MagenticOneState)
    return state


def _parse_ledger(text: str) -> dict[str, Any] | None:
    """The progress ledger from a reply (Markdown fences and prose around the object tolerated), or None."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        ledger = json.loads(text[start : end + 1], strict=False)
    except ValueError:
        return None
    if not isinstance(ledger, dict):
        return None
    for key in prompts.LEDGER_KEYS:
        answer = ledger.get(key)
        if not isinstance(answer, dict) or "answer" not in answer or "reason" not in answer:
            return None
    return ledger


class MagenticOneGroupChat(GroupChat):
    """A team run by the Magentic-One orchestrator (AutoGen's `MagenticOneGroupChat`).

    Example:
        >>> team = MagenticOneGroupChat([researcher, coder], model_client=client, max_stalls=2)
        >>> result = await team.run("Find the release date and write a changelog entry")
    """

    def __init__(
        self,
        participants: Sequence[Agent[Any] | Team],
        model_client: ModelClient,
        *,
        termination: TerminationCondition | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = 20,
        max_stalls: int = 3,
        name: str = "magentic",
    ) -> None:
        """Build the orchestrator for `participants` (agents, or teams), calling `model_client` to orchestrate."""
        termination = pick_termination(name, termination, termination_condition)
        direct = as_participants(participants)
        manager = MagenticOneOrchestrator(
            name,
            [p.name for p in direct],
            [p.description or p.name for p in direct],
            model_client,
            termination=termination,
            max_turns=max_turns,
            max_stalls=max_stalls,
        )
        super().__init__(direct, manager)
