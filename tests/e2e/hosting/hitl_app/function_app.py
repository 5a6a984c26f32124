"""A Function App for the human-in-the-loop and cancellation tests: three small teams on one scripted model.

- `desk`: `writer` (its `publish` tool needs approval, no timeout) then `editor` (a user proxy, no timeout): a run
  that pauses twice and may wait across host restarts.
- `quick`: `quickwriter` (approval times out after `TIMEOUT` s: denied) then `quickeditor` (a user proxy whose
  timeout stops the run): both timeouts fire through scheduled Service Bus messages.
- `export`: `exporter`, whose tool runs until the run is cancelled and notes when it sees the signal.

Tool calls are noted in the file `HITL_MARKS` names, so the test sees what ran in the host process.
"""

from __future__ import annotations

import asyncio
import os

from switchboard.agent import CancellationToken
from switchboard.agentchat import AssistantAgent, UserProxyAgent
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool

TIMEOUT = 2.0


def mark(note: str) -> None:
    with open(os.environ["HITL_MARKS"], "a", encoding="utf-8") as marks:
        marks.write(note + "\n")


def publish(text: str) -> str:
    """Publish a text.

    Args:
        text: What to publish.
    """
    mark(f"published {text}")
    return f"published {text}"


async def slow_export(cancellation_token: CancellationToken) -> str:
    """Export everything (takes until the run is cancelled)."""
    mark("export started")
    cancellation_token.add_callback(lambda: mark("export saw the cancel"))
    await asyncio.sleep(50)
    mark("export finished")
    return "exported"


def desk(model_client: ModelClient) -> RoundRobinGroupChat:
    writer = AssistantAgent("writer", model_client=model_client, tools=[FunctionTool(publish, approval="always")])
    return RoundRobinGroupChat([writer, UserProxyAgent("editor")], termination=MaxMessageTermination(3), name="desk")


def quick(model_client: ModelClient) -> RoundRobinGroupChat:
    tool = FunctionTool(publish, approval="always", approval_timeout=TIMEOUT)
    writer = AssistantAgent("quickwriter", model_client=model_client, tools=[tool])
    editor = UserProxyAgent("quickeditor", timeout=TIMEOUT)
    return RoundRobinGroupChat([writer, editor], termination=MaxMessageTermination(3), name="quick")


def export(model_client: ModelClient) -> RoundRobinGroupChat:
    exporter = AssistantAgent("exporter", model_client=model_client, tools=[FunctionTool(slow_export, timeout=120.0)])
    return RoundRobinGroupChat([exporter], termination=MaxMessageTermination(2), name="export")


TEAMS = {
    name: TeamSpec(name=name, description=name, build=build, report_author=author)
    for name, build, author in (
        ("desk", desk, "writer"),
        ("quick", quick, "quickwriter"),
        ("export", export, "exporter"),
    )
}

app = build_function_app(TEAMS, entities_for(TEAMS))
