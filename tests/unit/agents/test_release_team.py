"""The release desk in-process on its demo script: the publication waits for a person's decision."""

from __future__ import annotations

import pytest

from agents.registry import RELEASE_TEAM
from switchboard.models.scripted import ScriptedModelClient
from switchboard.protocol.input_messages import InputRequested
from switchboard.teams.interactive import InputRequiredError


def team_and_model() -> tuple[object, ScriptedModelClient]:
    assert RELEASE_TEAM.demo_script is not None
    model = ScriptedModelClient.from_file(RELEASE_TEAM.demo_script)
    return RELEASE_TEAM.build(model), model


async def test_an_approved_publication_is_made_once_after_the_question() -> None:
    team, _ = team_and_model()
    asked: list[InputRequested] = []

    def approve(question: InputRequested) -> bool:
        asked.append(question)
        return True

    result = await team.run("Publish the 1.4 release note", run_id="rel-1", approval_func=approve)  # type: ignore[attr-defined]
    (question,) = asked
    assert (question.kind, question.agent, question.tool) == ("approval", "publisher", "publish_release_note")
    assert result.speakers() == ["user", "drafter", "checker", "publisher"]
    assert result.final.content.startswith("published release note 1.4")
    assert result.stop_reason == "'publisher' answered"


async def test_a_denied_publication_is_not_made_and_the_transcript_says_so() -> None:
    team, _ = team_and_model()
    result = await team.run("Publish the 1.4 release note", run_id="rel-2", approval_func=lambda q: False)  # type: ignore[attr-defined]
    assert result.final.source == "publisher"
    assert result.final.content == "a person denied this call: it was not made"


async def test_an_approval_without_a_callback_says_how_to_give_one() -> None:
    team, _ = team_and_model()
    with pytest.raises(InputRequiredError, match="approval_func"):
        await team.run("Publish the 1.4 release note", run_id="rel-3")  # type: ignore[attr-defined]


def test_switchboard_run_in_process_asks_at_the_terminal() -> None:
    from typer.testing import CliRunner

    from switchboard.cli.app import app

    args = ["run", "Publish the 1.4 release note", "--team", "agents.registry:RELEASE_TEAM"]
    args += ["--model", "scripted", "--in-process"]
    approved = CliRunner().invoke(app, args, input="y\n")
    assert approved.exit_code == 0, approved.output
    assert "publisher wants to call publish_release_note" in approved.output
    assert "published release note 1.4" in approved.output
    denied = CliRunner().invoke(app, args, input="n\n")
    assert denied.exit_code == 0, denied.output
    assert "a person denied this call" in denied.output
    assert "published release note" not in denied.output
