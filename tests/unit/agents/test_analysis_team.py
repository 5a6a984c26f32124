"""The analysis desk in-process on its demo script: the coder's Python runs in the sandbox once a person approves."""

from __future__ import annotations

import uuid

from typer.testing import CliRunner

from agents.analysis import APPROVED, DATA, Verdict
from agents.registry import ANALYSIS_TEAM, TEAMS
from switchboard.cli.app import app
from switchboard.models.scripted import ScriptedModelClient
from switchboard.protocol.input_messages import InputRequested

QUESTION = "Which region had the highest total revenue in sales.csv, and how much was it?"


def expected_totals() -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in DATA.read_text().splitlines()[1:]:
        _, region, _, revenue = line.split(",")
        totals[region] = totals.get(region, 0) + int(revenue)
    return totals


async def test_the_demo_runs_the_coders_code_after_approval_and_the_critic_approves() -> None:
    assert ANALYSIS_TEAM.demo_script is not None
    assert TEAMS["analysis"] is ANALYSIS_TEAM
    team = ANALYSIS_TEAM.build(ScriptedModelClient.from_file(ANALYSIS_TEAM.demo_script))
    asked: list[InputRequested] = []

    def approve(question: InputRequested) -> bool:
        asked.append(question)
        return True

    result = await team.run(QUESTION, run_id=str(uuid.uuid4()), approval_func=approve)
    (question,) = asked
    assert (question.kind, question.agent, question.tool) == ("approval", "executor", "code_execution")
    assert result.speakers() == ["user", "coder", "executor", "critic"]
    totals = expected_totals()
    best = max(totals, key=lambda region: totals[region])
    executed = result.transcript[2].content
    assert f"Highest total revenue: {best} with {totals[best]}" in executed  # computed from the CSV, in the sandbox
    assert result.final.content.startswith(APPROVED)
    assert result.stop_reason == f"text {APPROVED!r} mentioned by critic"


async def test_denied_code_does_not_run() -> None:
    assert ANALYSIS_TEAM.demo_script is not None
    team = ANALYSIS_TEAM.build(ScriptedModelClient.from_file(ANALYSIS_TEAM.demo_script))
    result = await team.run(QUESTION, run_id=str(uuid.uuid4()), approval_func=lambda question: False)
    executor = result.transcript[2]
    assert executor.source == "executor"
    assert "Code execution was not approved. Reason: a person denied it" in executor.content


def test_the_verdict_renders_what_the_termination_watches() -> None:
    assert Verdict(verdict="APPROVE", answer="North: 45000").render().startswith(APPROVED)
    assert not Verdict(verdict="REVISE", answer="APPROVE later").render().startswith(APPROVED)


def test_switchboard_run_in_process_asks_before_running_code() -> None:
    args = ["run", QUESTION, "--team", "analysis", "--model", "scripted", "--in-process"]
    approved = CliRunner().invoke(app, args, input="y\n")
    assert approved.exit_code == 0, approved.output
    assert "executor wants to run this code" in approved.output
    assert "Highest total revenue: North with 45000" in approved.output
