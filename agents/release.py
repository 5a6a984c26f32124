"""The release desk: a selector team drafts, checks and publishes a release note, once a person approves.

A model picks who speaks next (`SelectorGroupChat`): the drafter writes the note from the change list, the checker
reviews it, the publisher calls `publish_release_note`. That tool is declared `approval="always"`, so the run
pauses durably (`awaiting_input`) until a person approves or denies the call (`POST /api/runs/{id}/input`,
`switchboard runs reply ID --approve`), or an hour passes and the call is denied. The run ends after the
publisher's turn, whose entry is the tool's answer: published, or not.
"""

from __future__ import annotations

from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.models.protocol import ModelClient
from switchboard.teams import SelectorGroupChat
from switchboard.termination import MaxMessageTermination, SourceMatchTermination
from switchboard.tools import FunctionTool

APPROVAL_TIMEOUT = 3600.0
"""Seconds the publication waits for a person before it is denied."""

CHANGES = (
    "Runs can pause for a person: a user proxy participant and tools that need approval.",
    "POST /api/runs/{id}/input and `switchboard runs reply` resume a paused run.",
    "Cancelling a run now reaches a tool that is still running.",
)


def list_changes() -> list[str]:
    """List the changes that go into this release."""
    return list(CHANGES)


def publish_release_note(version: str, text: str, idempotency_key: str) -> str:
    """Publish the release note on the project's news feed.

    Args:
        version: The release version, e.g. "1.4".
        text: The release note.
        idempotency_key: The step's key (from Switchboard; the feed posts once per key).
    """
    # An offline stand-in for the feed's API: the post id derives from the key, as a deduplicating API answers.
    return f"published release note {version} ({len(text)} characters) as post {idempotency_key[-12:]}"


def release_team(model_client: ModelClient) -> SelectorGroupChat:
    """Build the release desk around one model client (which also chooses the speakers)."""
    drafter = AssistantAgent(
        "drafter",
        model_client=model_client,
        description="Drafts the release note from the list of changes.",
        system_message="You write a short release note (at most 80 words) from the changes the tool lists.",
        tools=[FunctionTool(list_changes, timeout=5.0)],
        tool_choice="list_changes",
        model_context=BufferedModelContext(6),
        max_tokens=160,
    )
    checker = AssistantAgent(
        "checker",
        model_client=model_client,
        description="Checks the drafted release note and says whether it can be published.",
        system_message="You check the release note for accuracy and clarity. Reply with one short sentence.",
        model_context=BufferedModelContext(6),
        max_tokens=60,
    )
    publisher = AssistantAgent(
        "publisher",
        model_client=model_client,
        description="Publishes the checked release note (a person approves first).",
        system_message="You publish the checked release note with the publish_release_note tool.",
        tools=[
            FunctionTool(
                publish_release_note,
                side_effects=True,
                approval="always",
                approval_timeout=APPROVAL_TIMEOUT,
                timeout=10.0,
            )
        ],
        tool_choice="publish_release_note",
        reflect_on_tool_use=False,
        model_context=BufferedModelContext(6),
        max_tokens=200,
    )
    return SelectorGroupChat(
        [drafter, checker, publisher],
        model_client,
        termination=SourceMatchTermination(["publisher"]) | MaxMessageTermination(8),
        name="release",
    )
