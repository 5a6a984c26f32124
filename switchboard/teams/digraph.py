"""`DiGraph` and `DiGraphBuilder`: the execution graph of a `GraphFlow`, under AutoGen's names and rules.

A node is a participant; an edge says who may speak after whom, optionally only when a condition holds on the
source's entry (a string: the entry's text contains it; a callable: it returns True). Edges into one target are
grouped by `activation_group` (the target's name by default); a group with `activation_condition="all"` fires once
every edge of the group fired (fan-in join), with `"any"` on its first edge. Loops are allowed when every cycle has
a conditional edge to leave it. The graph is pure data: the manager keeps the execution counters in its state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from switchboard.errors import AgentDefinitionError
from switchboard.protocol.transcript import TranscriptEntry

Activation = Literal["all", "any"]
EdgeCondition = str | Callable[[TranscriptEntry], bool] | None
"""A string the entry's text must contain, a predicate on the entry, or None (always)."""


@dataclass(frozen=True)
class DiGraphEdge:
    """An edge to `target`, taken when `condition` holds on the source's entry.

    Attributes:
        target: The target node's name.
        condition: See `EdgeCondition`.
        activation_group: Edges into one target with the same group are counted together.
        activation_condition: `all` (every edge of the group must fire) or `any` (the first one does).
    """

    target: str
    condition: EdgeCondition = None
    activation_group: str = ""
    activation_condition: Activation = "all"

    def __post_init__(self) -> None:
        if not self.activation_group:
            object.__setattr__(self, "activation_group", self.target)

    @property
    def conditional(self) -> bool:
        """Whether the edge has a condition."""
        return self.condition is not None

    def check_condition(self, entry: TranscriptEntry) -> bool:
        """Whether the edge is taken after `entry` (AutoGen's `check_condition`)."""
        if self.condition is None:
            return True
        if isinstance(self.condition, str):
            return self.condition in entry.to_text()
        return bool(self.condition(entry))


@dataclass(frozen=True)
class DiGraphNode:
    """A participant and its outgoing edges (`activation` is kept for AutoGen parity; edges decide activation)."""

    name: str
    edges: tuple[DiGraphEdge, ...] = ()
    activation: Activation = "all"


@dataclass(frozen=True)
class DiGraph:
    """The nodes (in the order they were added) and an optional entry point."""

    nodes: Mapping[str, DiGraphNode]
    default_start_node: str | None = None

    def get_parents(self) -> dict[str, list[str]]:
        """Each node's parent nodes."""
        parents: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for edge in node.edges:
                parents[edge.target].append(node.name)
        return parents

    def get_start_nodes(self) -> list[str]:
        """The entry point, or every node without incoming edges, in the order the nodes were added."""
        if self.default_start_node:
            return [self.default_start_node]
        parents = self.get_parents()
        return [name for name in self.nodes if not parents[name]]

    def get_leaf_nodes(self) -> list[str]:
        """Nodes without outgoing edges."""
        return [name for name, node in self.nodes.items() if not node.edges]

    def get_remaining_map(self) -> dict[str, dict[str, int]]:
        """Per target and activation group, how many edges lead into it."""
        remaining: dict[str, dict[str, int]] = {}
        for node in self.nodes.values():
            for edge in node.edges:
                groups = remaining.setdefault(edge.target, {})
                groups[edge.activation_group] = groups.get(edge.activation_group, 0) + 1
        return remaining

    def activation(self) -> dict[str, dict[str, Activation]]:
        """Per target and activation group, its condition (`all` or `any`)."""
        found: dict[str, dict[str, Activation]] = {}
        for node in self.nodes.values():
            for edge in node.edges:
                found.setdefault(edge.target, {}).setdefault(edge.activation_group, edge.activation_condition)
        return found

    def has_cycles(self) -> bool:
        """Whether the graph has a cycle; every cycle must have a conditional edge to leave it.

        Raises:
            AgentDefinitionError: A cycle without any conditional edge.
        """
        visited: set[str] = set()
        on_path: list[str] = []
        found = False

        def visit(name: str) -> None:
            nonlocal found
            visited.add(name)
            on_path.append(name)
            for edge in self.nodes[name].edges:
                if edge.target in on_path:
                    cycle = on_path[on_path.index(edge.target) :]
                    if not any(e.conditional for n in cycle for e in self.nodes[n].edges):
                        loop = " -> ".join([*cycle, cycle[0]])
                        raise AgentDefinitionError(f"cycle without an exit condition: {loop}")
                    found = True
                elif edge.target not in visited:
                    visit(edge.target)
            on_path.pop()

        for name in self.nodes:
            if name not in visited:
                visit(name)
        return found

    def graph_validate(self) -> None:
        """Check the rules AutoGen checks.

        Raises:
            AgentDefinitionError: No nodes, no start or leaf node, an edge to an unknown node, a node mixing
                conditional and unconditional edges, one group with two activation conditions, or a cycle
                without an exit condition.
        """
        if not self.nodes:
            raise AgentDefinitionError("the graph has no nodes")
        for node in self.nodes.values():
            for edge in node.edges:
                if edge.target not in self.nodes:
                    raise AgentDefinitionError(f"edge {node.name} -> {edge.target}: unknown target")
            if len({edge.conditional for edge in node.edges}) > 1:
                raise AgentDefinitionError(f"node {node.name!r} mixes conditional and unconditional edges")
        if self.default_start_node is not None and self.default_start_node not in self.nodes:
            raise AgentDefinitionError(f"entry point {self.default_start_node!r} is not a node")
        if not self.get_start_nodes():
            raise AgentDefinitionError("the graph has no start node: set an entry point")
        if not self.get_leaf_nodes():
            raise AgentDefinitionError("the graph has no leaf node")
        seen: dict[tuple[str, str], Activation] = {}
        for node in self.nodes.values():
            for edge in node.edges:
                key = (edge.target, edge.activation_group)
                if seen.setdefault(key, edge.activation_condition) != edge.activation_condition:
                    raise AgentDefinitionError(
                        f"conflicting activation conditions for {edge.target!r} group {edge.activation_group!r}"
                    )
        self.has_cycles()


def _name(node: Any) -> str:
    return node if isinstance(node, str) else str(node.name)


class DiGraphBuilder:
    """Builds a `DiGraph` fluently, as AutoGen's builder does.

    Example:
        >>> builder = DiGraphBuilder()
        >>> builder.add_node(writer).add_node(reviewer).add_node(publisher)
        >>> builder.add_edge(writer, reviewer)
        >>> builder.add_edge(reviewer, publisher, condition="APPROVE")
        >>> builder.add_edge(reviewer, writer, condition=lambda entry: "APPROVE" not in entry.content)
        >>> builder.set_entry_point(writer)
        >>> flow = GraphFlow(builder.get_participants(), graph=builder.build(), termination=...)
    """

    def __init__(self) -> None:
        """Start empty."""
        self._nodes: dict[str, tuple[list[DiGraphEdge], Activation]] = {}
        self._participants: dict[str, Any] = {}
        self._start: str | None = None

    def add_node(self, agent: Any, activation: Activation = "all") -> DiGraphBuilder:
        """Add a participant (an agent, a team, or a name) as a node."""
        name = _name(agent)
        if name not in self._nodes:
            self._nodes[name] = ([], activation)
            if not isinstance(agent, str):
                self._participants[name] = agent
        return self

    def add_edge(
        self,
        source: Any,
        target: Any,
        condition: EdgeCondition = None,
        activation_group: str | None = None,
        activation_condition: Activation | None = None,
    ) -> DiGraphBuilder:
        """Add an edge `source -> target`, taken when `condition` holds (always when None).

        Raises:
            AgentDefinitionError: Either end was not added as a node.
        """
        source_name, target_name = _name(source), _name(target)
        for end in (source_name, target_name):
            if end not in self._nodes:
                raise AgentDefinitionError(f"node {end!r} must be added before an edge uses it")
        edge = DiGraphEdge(
            target=target_name,
            condition=condition,
            activation_group=activation_group or target_name,
            activation_condition=activation_condition or "all",
        )
        self._nodes[source_name][0].append(edge)
        return self

    def add_conditional_edges(self, source: Any, condition_to_target: Mapping[str, Any]) -> DiGraphBuilder:
        """Add one edge per keyword: `source -> target` when the entry's text contains the keyword."""
        for keyword, target in condition_to_target.items():
            self.add_edge(source, target, condition=keyword)
        return self

    def set_entry_point(self, name: Any) -> DiGraphBuilder:
        """Start the graph at this node (needed when every node has a parent, as in a loop)."""
        node = _name(name)
        if node not in self._nodes:
            raise AgentDefinitionError(f"entry point {node!r} must be added as a node first")
        self._start = node
        return self

    def build(self) -> DiGraph:
        """The validated graph.

        Raises:
            AgentDefinitionError: See `DiGraph.graph_validate`.
        """
        graph = DiGraph(
            nodes={
                name: DiGraphNode(name=name, edges=tuple(edges), activation=activation)
                for name, (edges, activation) in self._nodes.items()
            },
            default_start_node=self._start,
        )
        graph.graph_validate()
        return graph

    def get_participants(self) -> list[Any]:
        """The agents (and teams) added as nodes, in the order they were added."""
        return list(self._participants.values())
