"""The teams this deployment offers; `function_app.py` and `switchboard run` iterate `TEAMS`.

The research team: planner → researcher (with a search tool) → writer → reviewer, round robin, until the
reviewer approves or three rounds have passed. The release desk (`agents.release`): a selector team whose
publication waits for a person's approval. The analysis desk (`agents.analysis`): a coder writes Python about a CSV,
an executor runs it once a person approves, a critic checks the answer. Every AutoGen team JSON in `agents/teams/`
is offered too (the haiku team), with no Python: its tools come from `TEAM_FILE_TOOLS`, never from code in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.analysis import analysis_team
from agents.knowledge import search_notes
from agents.messages import APPROVED
from agents.planner import make_planner
from agents.release import release_team
from agents.report_memory import report_memory
from agents.researcher import make_researcher
from agents.reviewer import make_reviewer
from agents.writer import make_writer
from switchboard.agent import Agent
from switchboard.components.team_files import team_files
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination, TextMentionTermination

MAX_ROUNDS = 3
PARTICIPANTS = 4


def research_team(
    model_client: ModelClient, *, max_rounds: int = MAX_ROUNDS, reviewer_model: ModelClient | None = None
) -> RoundRobinGroupChat:
    """Build the research-and-report team around one model client.

    Two models in one team: pass `reviewer_model` (e.g. a cheaper model) and the reviewer keeps it, while the
    others use `model_client`. Without code, the setting `MODEL__REVIEWER__AZURE_OPENAI_DEPLOYMENT` (or
    `MODEL__REVIEWER__OPENAI_MODEL`) does the same for a deployed or local run (docs/models.md).
    """
    termination = TextMentionTermination(APPROVED, sources=["reviewer"]) | MaxMessageTermination(
        1 + PARTICIPANTS * max_rounds
    )
    # Approved reports are remembered across runs when the settings name a memory container (docs/memory.md).
    reports = report_memory()
    return RoundRobinGroupChat(
        [
            make_planner(model_client),
            make_researcher(model_client),
            make_writer(model_client, memory=[reports] if reports else []),
            make_reviewer(reviewer_model or model_client, archive=reports),
        ],
        termination=termination,
        name="research",
    )


RESEARCH_TEAM = TeamSpec(
    name="research",
    description="Plans, researches with a tool, writes and reviews a short report.",
    build=research_team,
    report_author="writer",
    demo_script=Path(__file__).parent / "scripts" / "research_demo.json",
)

RELEASE_TEAM = TeamSpec(
    name="release",
    description="Drafts, checks and publishes a release note; a person approves the publication.",
    build=release_team,
    report_author="drafter",
    demo_script=Path(__file__).parent / "scripts" / "release_demo.json",
)

ANALYSIS_TEAM = TeamSpec(
    name="analysis",
    description="Answers a question about a CSV by writing Python and running it (a person approves each run).",
    build=analysis_team,
    report_author="critic",
    demo_script=Path(__file__).parent / "scripts" / "analysis_demo.json",
)

TEAM_FILE_TOOLS = [search_notes]
"""The tools a team file may name (by function name)."""

TEAMS: dict[str, TeamSpec] = {
    RESEARCH_TEAM.name: RESEARCH_TEAM,
    RELEASE_TEAM.name: RELEASE_TEAM,
    ANALYSIS_TEAM.name: ANALYSIS_TEAM,
    **team_files(Path(__file__).parent / "teams", tools=TEAM_FILE_TOOLS),
}
"""Every team of this deployment, by name."""

DEFAULT_TEAM = RESEARCH_TEAM
"""What `switchboard run` runs unless told otherwise."""


def all_agents(model_client: ModelClient) -> list[Agent[Any]]:
    """Every agent of every team (managers included): one Service Bus-triggered function each."""
    return [agent for spec in TEAMS.values() for agent in spec.build(model_client).agents()]
