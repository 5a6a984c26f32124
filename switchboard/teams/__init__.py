"""Teams under AutoGen's names: `RoundRobinGroupChat`, `SelectorGroupChat`, `Swarm`, speaking `switchboard.protocol`.

Every team is a manager agent plus its participants, so the same code runs in the in-process runtime and hosted
(one Service Bus–triggered function per agent, state in Cosmos DB).
"""

from switchboard.teams.digraph import DiGraph, DiGraphBuilder, DiGraphEdge, DiGraphNode
from switchboard.teams.errors import HandoffTargetError, SpeakerSelectionError, TeamError, TeamRunError
from switchboard.teams.graph_flow import GraphFlow, GraphFlowManager
from switchboard.teams.group_chat import GroupChat
from switchboard.teams.magentic_one import MagenticOneGroupChat, MagenticOneOrchestrator
from switchboard.teams.manager import GroupChatManager, SpeakerSelection, TeamState
from switchboard.teams.nested import NestedTeam
from switchboard.teams.result import TaskResult, TeamResult
from switchboard.teams.round_robin import RoundRobinGroupChat, RoundRobinManager
from switchboard.teams.selector import DEFAULT_SELECTOR_PROMPT, SelectorGroupChat, SelectorManager
from switchboard.teams.spec import TeamSpec
from switchboard.teams.swarm import Swarm, SwarmManager

__all__ = [
    "DEFAULT_SELECTOR_PROMPT",
    "DiGraph",
    "DiGraphBuilder",
    "DiGraphEdge",
    "DiGraphNode",
    "GraphFlow",
    "GraphFlowManager",
    "GroupChat",
    "GroupChatManager",
    "HandoffTargetError",
    "MagenticOneGroupChat",
    "MagenticOneOrchestrator",
    "NestedTeam",
    "RoundRobinGroupChat",
    "RoundRobinManager",
    "SelectorGroupChat",
    "SelectorManager",
    "SpeakerSelection",
    "SpeakerSelectionError",
    "Swarm",
    "SwarmManager",
    "TaskResult",
    "TeamError",
    "TeamResult",
    "TeamRunError",
    "TeamSpec",
    "TeamState",
]
