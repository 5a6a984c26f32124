"""`GroupChatManager`: what every team manager shares; subclasses only choose the next speaker.

The manager is the single writer of the run's transcript. The entries are separate items in the run's store
(appended through `ctx.transcript`, committed with the manager's state), so `TeamState` holds only counters — how
long the transcript is, whose turn it is, what each participant has seen, usage per agent and the termination
conditions' own state — and stays the same size however long the run. Any host can handle the next message of the
run after a restart. Duplicate or stale messages (at-least-once delivery) are recognised and ignored.

One hop: record the new entry, check the termination condition (and `max_turns`), choose the next speaker (a
subclass may call a model for that, through `SpeakerSelection.chat`: a checkpointed, counted step), check the
condition again on the manager's own spending, then ask the speaker, naming the entries it has not seen yet (their
index range: a bus message never carries transcript text).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from pydantic import Field

from switchboard.agent import Agent, AgentContext, AgentState
from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import ModelRequest, ModelResponse, ModelStep, Usage
from switchboard.models.observed import observed_chat
from switchboard.models.protocol import ModelClient
from switchboard.protocol.messages import RunCompleted, TaskSubmitted, TurnCompleted, TurnRequested
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams.errors import SpeakerSelectionError
from switchboard.termination import ConditionState, ModelCall, RunDelta, TerminationCondition


class TeamState(AgentState):
    """The manager's state for one run: counters only (the transcript is stored entry by entry).

    Attributes:
        started: Whether the task arrived (a redelivered start is ignored).
        length: How many transcript entries the run has (the next entry's index).
        turn: The turn being asked for (answers carrying another turn are stale).
        speaker: The round-robin position of the next speaker.
        current_speaker: The participant asked last (AutoGen's previous/current speaker).
        seen: Per participant, how many entries it has been shown.
        termination: The termination conditions' persisted counters.
        usage: Tokens spent per agent, the manager's own model calls under its name.
        model_calls: The manager's own model calls in the run; the next call's `ModelStep.index`.
        stop_reason: Why the run stopped, once it has.
    """

    started: bool = False
    length: int = 0
    turn: int = 0
    speaker: int = 0
    current_speaker: str | None = None
    seen: dict[str, int] = Field(default_factory=dict)
    termination: ConditionState | None = None
    usage: dict[str, Usage] = Field(default_factory=dict)
    model_calls: int = 0
    stop_reason: str | None = None


def turn_request(ctx: AgentContext[TeamState], team: str, speaker: str, start: int) -> TurnRequested:
    """Ask `speaker` for the current turn, naming the entries `start ..` it has not seen (never their text).

    The range is absolute in the run's log (a nested team's view adds its offset); the entries up to the state's
    length are committed with this request, so the receiver finds them all.
    """
    offset = ctx.transcript.offset
    return TurnRequested(
        team=team, turn=ctx.state.turn, start=offset + start, end=offset + ctx.state.length, speaker=speaker
    )


class SpeakerSelection:
    """What a manager may use to choose the next speaker in one hop: the transcript and checkpointed model calls.

    Attributes:
        ctx: The hop's context (state, clock, run id).
        last: The entry just recorded (the task on the first hop).
        calls: The model calls made in this hop, for the termination check.
    """

    def __init__(self, manager: str, ctx: AgentContext[TeamState], last: TranscriptEntry) -> None:
        self._manager = manager
        self.ctx = ctx
        self.last = last
        self.calls: list[ModelCall] = []
        # The last read, (first index, entries, transcript length then): the speaker's unseen entries are usually
        # inside the selector's window, so the hop reads the transcript once.
        self._read: tuple[int, list[TranscriptEntry], int] | None = None

    @property
    def state(self) -> TeamState:
        """The manager's state."""
        return self.ctx.state

    async def entries(self, window: int | None = None) -> list[TranscriptEntry]:
        """The transcript's last `window` entries (all of them when None), oldest first: one bounded read."""
        return await self.since(0 if window is None else max(0, self.state.length - window))

    async def since(self, start: int) -> list[TranscriptEntry]:
        """Every entry from index `start` on, served from this hop's previous read when that covers it."""
        if self._read is not None:
            first, entries, length = self._read
            if first <= start and length == self.state.length:
                return entries[start - first :]
        entries = [TranscriptEntry.model_validate(entry) for entry in await self.ctx.transcript.since(start)]
        self._read = (start, entries, self.state.length)
        return entries

    async def chat(self, client: ModelClient, request: ModelRequest) -> ModelResponse:
        """Call the model as a checkpointed step of the manager, and count its tokens in the run's usage."""
        state = self.state
        step = ModelStep(run_id=self.ctx.run_id, agent=self._manager, index=state.model_calls)
        state.model_calls += 1
        stepped = request.model_copy(update={"step": step, "agent": self._manager})
        reply = await self.ctx.checkpoint(
            "chat",
            # Inside the checkpoint: a replayed selector/orchestrator step makes no call and no `chat` span.
            lambda: observed_chat(client, stepped),
            encode=lambda response: response.model_dump(mode="json"),
            decode=ModelResponse.model_validate,
        )
        state.usage = {**state.usage, self._manager: state.usage.get(self._manager, Usage()) + reply.usage}
        self.calls.append(ModelCall(agent=self._manager, model=reply.model or None, usage=reply.usage))
        return reply


class GroupChatManager(Agent[TeamState]):
    """The shared team protocol: `TaskSubmitted`/`TurnCompleted` in, `TurnRequested`/`RunCompleted` out."""

    kind = "group chat"
    """What kind of team this is, for the default description."""

    def __init__(
        self,
        name: str,
        participants: Sequence[str],
        *,
        termination: TerminationCondition | None = None,
        max_turns: int | None = None,
        description: str = "",
    ) -> None:
        """Manage `participants` (agent names); stop on `termination` or after `max_turns`."""
        super().__init__(name, description=description or f"{self.kind} team of {', '.join(participants)}")
        if not participants:
            raise AgentDefinitionError(f"team {name!r} needs at least one participant")
        if len(set(participants)) != len(participants) or name in participants:
            raise AgentDefinitionError(f"team {name!r}: participant names must be unique and differ from the team")
        if termination is None and max_turns is None:
            raise AgentDefinitionError(f"team {name!r} would never stop: give a termination condition or max_turns")
        if max_turns is not None and max_turns < 1:
            raise AgentDefinitionError(f"team {name!r}: max_turns must be >= 1")
        self.participants = tuple(participants)
        self.termination = termination
        self.max_turns = max_turns

    @abstractmethod
    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """Choose who speaks next (a participant's name); called once per hop while the run goes on."""

    async def handle(self, message: TaskSubmitted | TurnCompleted, ctx: AgentContext[TeamState]) -> None:
        """Start the run, or record a participant's turn; then stop, or ask the next speaker."""
        state = ctx.state
        if isinstance(message, TaskSubmitted):
            if state.started:
                return  # a redelivered start
            state.started = True
            entry = TranscriptEntry(source="user", content=message.task, kind="task")
            self._record(ctx, entry)
        else:
            if state.stop_reason is not None or message.turn != state.turn or message.team != self.name:
                return  # late, duplicated or foreign answer
            entry = message.answer
            self._record(ctx, entry)
            # The speaker already has its own reply in its history.
            state.seen = {**state.seen, entry.source: state.length}
            state.turn += 1
        await self._check(ctx, RunDelta(entries=(entry,), now=ctx.now()))
        if state.stop_reason is None and self.max_turns is not None and state.turn >= self.max_turns:
            state.stop_reason = f"maximum number of turns {self.max_turns} reached"
        if state.stop_reason is None:
            selection = SpeakerSelection(self.name, ctx, entry)
            speaker = await self.select_speaker(selection)
            if speaker not in self.participants:
                raise SpeakerSelectionError(f"team {self.name!r} chose {speaker!r}, not one of {self.participants}")
            if selection.calls:
                await self._check(ctx, RunDelta(calls=tuple(selection.calls), now=ctx.now()))
            if state.stop_reason is None:
                await self._ask(ctx, speaker)
                return
        ctx.publish(
            RunCompleted(
                team=self.name, stop_reason=state.stop_reason, usage=dict(state.usage), entry_count=state.length
            )
        )

    async def _ask(self, ctx: AgentContext[TeamState], speaker: str) -> None:
        state = ctx.state
        start = state.seen.get(speaker, 0)
        state.seen = {**state.seen, speaker: state.length}
        state.current_speaker = speaker
        ctx.send(turn_request(ctx, self.name, speaker, start), to=speaker)

    def _record(self, ctx: AgentContext[TeamState], entry: TranscriptEntry) -> None:
        state = ctx.state
        ctx.transcript.append(entry.model_dump(mode="json"), index=state.length)
        state.length += 1
        if entry.kind != "task":
            state.usage = {**state.usage, entry.source: state.usage.get(entry.source, Usage()) + entry.usage}

    async def _check(self, ctx: AgentContext[TeamState], delta: RunDelta) -> None:
        if self.termination is None:
            return
        state = ctx.state
        current = state.termination or self.termination.initial_state()
        state.termination = await self.termination.check(delta, current)
        state.stop_reason = state.termination.stopped
