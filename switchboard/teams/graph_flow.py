"""`GraphFlow`: participants speak as a `DiGraph` says, with AutoGen's execution rules, on the actor runtime.

The manager runs the graph in supersteps, as AutoGen's does: every ready node is asked at once (one
`TurnRequested` each; hosted, each participant is its own function on its own queue, so the branches really run in
parallel), and their `TurnCompleted` answers are joined in the manager's state. Each answer is recorded as it
arrives, seen by the termination condition, and propagated along the edges whose conditions hold (counting down
`all` groups, firing `any` groups once). When the last answer of the superstep is in, the ready nodes form the next
superstep; none left means the graph is done. The graph's counters (remaining edges per group, ready nodes, who is
still expected) are small and live in the manager's persisted state, so a restarted host carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from switchboard.agent import Agent, AgentContext
from switchboard.errors import AgentDefinitionError
from switchboard.protocol.messages import RunCompleted, TaskSubmitted, TurnCompleted
from switchboard.protocol.transcript import TranscriptEntry
from switchboard.teams.aliases import pick_termination
from switchboard.teams.digraph import DiGraph
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.manager import GroupChatManager, SpeakerSelection, TeamState, turn_request
from switchboard.teams.nested import as_participants
from switchboard.teams.team import Team
from switchboard.termination import RunDelta, TerminationCondition

GRAPH_DONE = "Digraph execution is complete"
"""The stop reason when no node is left to run (AutoGen's wording)."""


class GraphFlowState(TeamState):
    """The manager's state: the team counters plus the graph's execution counters.

    Attributes:
        remaining: Per target and `all` group, edges still to fire before the target is ready.
        enqueued_any: Per target and `any` group, whether the group already made the target ready.
        triggered: Per node, the groups that made it ready (reset when it is asked).
        ready: Nodes to ask in the next superstep, in order.
        pending: Nodes asked in this superstep that have not answered yet.
    """

    remaining: dict[str, dict[str, int]] = Field(default_factory=dict)
    enqueued_any: dict[str, dict[str, bool]] = Field(default_factory=dict)
    triggered: dict[str, list[str]] = Field(default_factory=dict)
    ready: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)


class GraphFlowManager(GroupChatManager):
    """Runs a `DiGraph`: asks every ready node at once and joins their answers before the next superstep."""

    kind = "graph flow"
    state_type = GraphFlowState

    def __init__(
        self,
        name: str,
        participants: Sequence[str],
        graph: DiGraph,
        *,
        termination: TerminationCondition | None = None,
        max_turns: int | None = None,
        description: str = "",
    ) -> None:
        """Run `graph` over `participants` (its nodes); a cyclic graph needs `termination` or `max_turns`.

        Raises:
            AgentDefinitionError: The graph is invalid, its nodes are not the participants, or a cyclic graph could
                run forever.
        """
        if max_turns is not None and max_turns < 1:
            raise AgentDefinitionError(f"team {name!r}: max_turns must be >= 1")
        graph.graph_validate()
        if set(graph.nodes) != set(participants):
            raise AgentDefinitionError(f"team {name!r}: graph nodes {sorted(graph.nodes)} are not the participants")
        if graph.has_cycles() and termination is None and max_turns is None:
            raise AgentDefinitionError(f"team {name!r}: a cyclic graph needs a termination condition or max_turns")
        # An acyclic graph stops by itself, so the base class's "would never stop" rule does not apply.
        super().__init__(name, participants, termination=termination, max_turns=max_turns or 1, description=description)
        self.max_turns = max_turns
        self.graph = graph
        self._activation = graph.activation()

    async def select_speaker(self, selection: SpeakerSelection) -> str:
        """Not used: a graph may ask several speakers at once (see `handle`)."""
        raise NotImplementedError("GraphFlowManager asks its speakers in handle()")

    async def handle(self, message: TaskSubmitted | TurnCompleted, ctx: AgentContext[TeamState]) -> None:
        """Start the graph, or join one answer; at the end of a superstep, stop or ask every ready node."""
        state = ctx.state
        assert isinstance(state, GraphFlowState)
        if isinstance(message, TaskSubmitted):
            if state.started:
                return  # a redelivered start
            state.started = True
            entry = TranscriptEntry(source="user", content=message.task, kind="task")
            self._record(ctx, entry)
            self._restart_graph(state)
            await self._check(ctx, RunDelta(entries=(entry,), now=ctx.now()))
        else:
            answer = message.answer
            speaker = ctx.sender or answer.source
            if message.team != self.name or message.turn != state.turn or speaker not in state.pending:
                return  # late, duplicated or foreign answer
            self._record(ctx, answer)
            state.pending.remove(speaker)
            self._propagate(state, speaker, answer)
            # Every answer is checked as it arrives; a stop takes effect when the superstep is complete.
            await self._check(ctx, RunDelta(entries=(answer,), now=ctx.now()))
            if state.pending:
                return
            state.turn += 1
        if not state.ready:
            state.stop_reason = GRAPH_DONE
        elif state.stop_reason is None and self.max_turns is not None and state.turn >= self.max_turns:
            state.stop_reason = f"maximum number of turns {self.max_turns} reached"
        if state.stop_reason is not None:
            ctx.publish(
                RunCompleted(
                    team=self.name, stop_reason=state.stop_reason, usage=dict(state.usage), entry_count=state.length
                )
            )
            return
        await self._ask_ready(ctx, state)

    def _restart_graph(self, state: GraphFlowState) -> None:
        state.remaining = self.graph.get_remaining_map()
        state.enqueued_any = {t: dict.fromkeys(groups, False) for t, groups in self._activation.items()}
        state.triggered = {}
        state.ready = self.graph.get_start_nodes()
        state.pending = []

    def _propagate(self, state: GraphFlowState, source: str, entry: TranscriptEntry) -> None:
        for edge in self.graph.nodes[source].edges:
            if not edge.check_condition(entry):
                continue
            target, group = edge.target, edge.activation_group
            if self._activation[target][group] == "all":
                state.remaining[target][group] -= 1
                if state.remaining[target][group] != 0:
                    continue
            elif state.enqueued_any[target][group]:
                continue
            else:
                state.enqueued_any[target][group] = True
            state.ready.append(target)
            state.triggered.setdefault(target, []).append(group)

    async def _ask_ready(self, ctx: AgentContext[TeamState], state: GraphFlowState) -> None:
        speakers = list(dict.fromkeys(state.ready))
        state.ready = []
        origin = self.graph.get_remaining_map()
        for speaker in speakers:
            for group in state.triggered.pop(speaker, []):
                if self._activation[speaker][group] == "any":
                    state.enqueued_any[speaker][group] = False
                else:
                    state.remaining[speaker][group] = origin[speaker][group]
        # Each branch is named the range it has not seen; it reads them without its own entries (`speaker`).
        for speaker in speakers:
            start = state.seen.get(speaker, 0)
            state.seen = {**state.seen, speaker: state.length}
            ctx.send(turn_request(ctx, self.name, speaker, start), to=speaker)
        state.pending = speakers
        state.current_speaker = speakers[-1]


class GraphFlow(GroupChat):
    """A team whose participants speak along a directed graph (AutoGen's `GraphFlow`).

    Sequential chains, conditional branches, loops with exit conditions, parallel fan-out and all/any fan-in,
    built with `DiGraphBuilder`. Participants may be agents or whole teams (see `switchboard.teams.nested`).

    Example:
        >>> builder = DiGraphBuilder()
        >>> builder.add_node(a).add_node(b).add_node(c).add_edge(a, b).add_edge(a, c)
        >>> flow = GraphFlow([a, b, c], graph=builder.build())
        >>> result = await flow.run("Translate this")
    """

    def __init__(
        self,
        participants: Sequence[Agent[Any] | Team],
        graph: DiGraph,
        *,
        termination: TerminationCondition | None = None,
        termination_condition: TerminationCondition | None = None,
        max_turns: int | None = None,
        name: str = "graphflow",
    ) -> None:
        """Build the manager for `participants` (the graph's nodes, agents or teams)."""
        termination = pick_termination(name, termination, termination_condition)
        direct = as_participants(participants)
        manager = GraphFlowManager(name, [p.name for p in direct], graph, termination=termination, max_turns=max_turns)
        super().__init__(direct, manager)
        self.graph = graph
