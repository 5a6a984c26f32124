"""What `GET /api/teams` says of each team: its kind, its agents and the edges a picture of it draws.

RoundRobin is a ring (each participant hands to the next), Selector a star (the manager picks any participant),
Swarm its participants' handoffs, GraphFlow its graph's edges; any other team is drawn as a star around its manager.
"""

from __future__ import annotations

from typing import Any

from switchboard.teams.graph_flow import GraphFlow
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.round_robin import RoundRobinGroupChat
from switchboard.teams.selector import SelectorGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.teams.swarm import Swarm


def team_shape(spec: TeamSpec, team: GroupChat) -> dict[str, Any]:
    """The JSON of one team: name, description, kind, agents (name and description) and directed edges.

    Args:
        spec: The team as the application offers it.
        team: The team built from it (its agents are read, never called).
    """
    names = [participant.name for participant in team.participants]
    kind, edges = _kind_and_edges(team, names)
    return {
        "name": spec.name,
        "description": spec.description,
        "kind": kind,
        "manager": team.manager.name,
        "agents": [
            {"name": participant.name, "description": str(getattr(participant, "description", "") or "")}
            for participant in team.participants
        ],
        "edges": [{"source": source, "target": target} for source, target in edges],
    }


def _kind_and_edges(team: GroupChat, names: list[str]) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(team, RoundRobinGroupChat):
        return "round_robin", [(name, names[(i + 1) % len(names)]) for i, name in enumerate(names)]
    if isinstance(team, Swarm):
        edges = [
            (participant.name, handoff.target)
            for participant in team.participants
            for handoff in getattr(participant, "handoffs", {}).values()
        ]
        return "swarm", edges
    if isinstance(team, GraphFlow):
        graph = getattr(team.manager, "graph", None)
        nodes = getattr(graph, "nodes", {}) or {}
        return "graph_flow", [(source, edge.target) for source, node in nodes.items() for edge in node.edges]
    kind = "selector" if isinstance(team, SelectorGroupChat) else type(team).__name__.lower()
    return kind, [(team.manager.name, name) for name in names]
