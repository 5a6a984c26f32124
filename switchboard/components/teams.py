"""Teams between AutoGen's component JSON and Switchboard.

Round-robin, selector, swarm, Magentic-One and GraphFlow (with its graph), each with its termination condition
and turn limit.

AutoGen's team names (`RoundRobinGroupChat` by default) become valid agent names (`roundrobingroupchat`), since
a team's name is its manager's queue when hosted.
"""

from __future__ import annotations

from typing import Any

from switchboard.agent import Agent
from switchboard.components.agents import dump_agent
from switchboard.components.errors import ComponentError
from switchboard.components.loader import Loader, unsupported, want
from switchboard.components.models import dump_model
from switchboard.components.naming import agent_name
from switchboard.components.spec import ComponentSpec, component, join
from switchboard.components.terminations import dump_termination
from switchboard.teams import (
    DEFAULT_SELECTOR_PROMPT,
    DiGraph,
    DiGraphEdge,
    DiGraphNode,
    GraphFlow,
    GroupChat,
    MagenticOneGroupChat,
    RoundRobinGroupChat,
    SelectorGroupChat,
    Swarm,
)
from switchboard.teams.selector import SelectorManager

TEAMS = "autogen_agentchat.teams."
KINDS = ("RoundRobinGroupChat", "SelectorGroupChat", "Swarm", "MagenticOneGroupChat", "GraphFlow")


def load_team(loader: Loader, spec: ComponentSpec, path: str) -> GroupChat:
    """Our team for an AutoGen team spec."""
    config, kind = spec.config, spec.provider.rsplit(".", 1)[-1]
    unsupported(config, path, {"emit_team_events": False, "model_client_streaming": False})
    items = want(config, "participants", list, path, [])
    if not items:
        raise ComponentError(join(path, "participants"), "a team needs participants")
    participants: list[Agent[Any]] = [
        loader.load(item, join(join(path, "participants"), i), "agent") for i, item in enumerate(items)
    ]
    common: dict[str, Any] = {"name": agent_name(want(config, "name", str, path, "team"), join(path, "name"))}
    if config.get("termination_condition") is not None:
        common["termination"] = loader.load(config["termination_condition"], join(path, "termination_condition"))
    if "max_turns" in config:
        common["max_turns"] = want(config, "max_turns", int, path)
    if kind == "RoundRobinGroupChat":
        return RoundRobinGroupChat(participants, **common)
    if kind == "Swarm":
        return Swarm(participants, **common)
    model = _model(loader, config, path)
    if kind == "SelectorGroupChat":
        return SelectorGroupChat(
            participants,
            model,
            selector_prompt=want(config, "selector_prompt", str, path, DEFAULT_SELECTOR_PROMPT),
            allow_repeated_speaker=want(config, "allow_repeated_speaker", bool, path, False),
            max_selector_attempts=want(config, "max_selector_attempts", int, path, 3),
            **common,
        )
    if kind == "MagenticOneGroupChat":
        if config.get("final_answer_prompt") not in (None, _AUTOGEN_FINAL_ANSWER):
            raise ComponentError(join(path, "final_answer_prompt"), "a custom final answer prompt is not supported")
        return MagenticOneGroupChat(participants, model, max_stalls=want(config, "max_stalls", int, path, 3), **common)
    raise ComponentError(join(path, "provider"), f"team {kind!r} is not supported")  # pragma: no cover - allow-list


def load_graph_flow(loader: Loader, spec: ComponentSpec, path: str) -> GraphFlow:
    """Our `GraphFlow` for AutoGen's, with its graph's nodes, edges, conditions and activation groups."""
    config = spec.config
    unsupported(config, path, {"emit_team_events": False})
    items = want(config, "participants", list, path, [])
    participants: list[Agent[Any]] = [
        loader.load(item, join(join(path, "participants"), i), "agent") for i, item in enumerate(items)
    ]
    graph = _graph(want(config, "graph", dict, path, {}), join(path, "graph"))
    options: dict[str, Any] = {"name": agent_name(want(config, "name", str, path, "graphflow"), join(path, "name"))}
    if config.get("termination_condition") is not None:
        options["termination"] = loader.load(config["termination_condition"], join(path, "termination_condition"))
    if "max_turns" in config:
        options["max_turns"] = want(config, "max_turns", int, path)
    return GraphFlow(participants, graph, **options)


def _graph(config: dict[str, Any], path: str) -> DiGraph:
    nodes: dict[str, DiGraphNode] = {}
    for key, node in want(config, "nodes", dict, path, {}).items():
        where = join(join(path, "nodes"), key)
        name = agent_name(node.get("name", key), join(where, "name"))
        edges = []
        for i, edge in enumerate(node.get("edges", [])):
            at = join(join(where, "edges"), i)
            condition = edge.get("condition")
            if condition is not None and not isinstance(condition, str):
                raise ComponentError(join(at, "condition"), "only text conditions are supported (no code)")
            target = agent_name(edge["target"], join(at, "target"))
            group = edge.get("activation_group") or edge["target"]
            edges.append(
                DiGraphEdge(
                    target=target,
                    condition=condition,
                    activation_group=target if group == edge["target"] else group,
                    activation_condition=edge.get("activation_condition", "all"),
                )
            )
        nodes[name] = DiGraphNode(name=name, edges=tuple(edges), activation=node.get("activation", "all"))
    start = config.get("default_start_node")
    return DiGraph(
        nodes=nodes, default_start_node=agent_name(start, join(path, "default_start_node")) if start else None
    )


def _model(loader: Loader, config: dict[str, Any], path: str) -> Any:
    if config.get("model_client") is None:
        raise ComponentError(join(path, "model_client"), "this team needs a model client")
    return loader.load(config["model_client"], join(path, "model_client"), "model")


def dump_team(team: GroupChat, path: str) -> dict[str, Any]:
    """AutoGen's component for `team`.

    Raises:
        ComponentError: A part of it (a selector function, a code condition, a nested team) has no declarative form.
    """
    manager = team.manager
    at = join(path, "config")
    participants = [dump_agent(p, join(join(at, "participants"), i)) for i, p in enumerate(team.participants)]
    config: dict[str, Any] = {"name": team.name, "description": "A team of agents.", "participants": participants}
    if manager.termination is not None:
        config["termination_condition"] = dump_termination(manager.termination, join(at, "termination_condition"))
    if manager.max_turns is not None:
        config["max_turns"] = manager.max_turns
    if isinstance(team, SelectorGroupChat):
        assert isinstance(manager, SelectorManager)
        if manager.selector_func is not None or manager.candidate_func is not None:
            raise ComponentError(path, "a selector or candidate function has no declarative form")
        config |= {
            "model_client": dump_model(manager.model_client, join(at, "model_client")),
            "selector_prompt": manager.selector_prompt,
            "allow_repeated_speaker": manager.allow_repeated_speaker,
            "max_selector_attempts": manager.max_selector_attempts,
        }
    elif isinstance(team, MagenticOneGroupChat):
        magentic: Any = manager
        config |= {
            "model_client": dump_model(magentic.model_client, join(at, "model_client")),
            "max_stalls": magentic.max_stalls,
            "final_answer_prompt": _AUTOGEN_FINAL_ANSWER,
        }
    elif isinstance(team, GraphFlow):
        config["graph"] = _dump_graph(team.graph, join(at, "graph"))
    elif not isinstance(team, RoundRobinGroupChat | Swarm):
        raise ComponentError(path, f"team {type(team).__name__} has no declarative form")
    kind = next(k for k in KINDS if type(team).__name__ == k)
    return component(TEAMS + kind, "team", config)


def _dump_graph(graph: DiGraph, path: str) -> dict[str, Any]:
    nodes: dict[str, Any] = {}
    for name, node in graph.nodes.items():
        edges = []
        for i, edge in enumerate(node.edges):
            if edge.condition is not None and not isinstance(edge.condition, str):
                raise ComponentError(
                    join(path, f"nodes.{name}.edges[{i}].condition"), "a code condition cannot be dumped"
                )
            edges.append(
                {
                    "target": edge.target,
                    "condition": edge.condition,
                    "activation_group": edge.activation_group,
                    "activation_condition": edge.activation_condition,
                }
            )
        nodes[name] = {"name": name, "edges": edges, "activation": node.activation}
    dumped: dict[str, Any] = {"nodes": nodes}
    if graph.default_start_node is not None:
        dumped["default_start_node"] = graph.default_start_node
    return dumped


_AUTOGEN_FINAL_ANSWER = (
    "\nWe are working on the following task:\n{task}\n\nWe have completed the task.\n\n"
    "The above messages contain the conversation that took place to complete the task.\n\n"
    "Based on the information gathered, provide the final answer to the original request.\n"
    "The answer should be phrased as if you were speaking to the user.\n"
)
"""AutoGen's default final answer prompt, the one ours follows."""

PROVIDERS = {
    **{TEAMS + k: ("team", load_team) for k in KINDS if k != "GraphFlow"},
    **{k: ("team", load_team) for k in KINDS if k != "GraphFlow"},
    TEAMS + "GraphFlow": ("team", load_graph_flow),
    "GraphFlow": ("team", load_graph_flow),
}
"""Allowed team providers: name to (component type, builder)."""
