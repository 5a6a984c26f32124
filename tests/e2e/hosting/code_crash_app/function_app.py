"""A Function App for the code crash tests.

- `codeteam`: one code-writing `CodeExecutorAgent` whose turn runs code, then reflects. The code appends a line to
  `executions.txt` in the run's work directory (under `CODE_CRASH_WORK_DIR`), so the file counts how often it ran.
  The reflection is a scripted model reply held back a few seconds: the window in which the test kills the host —
  after the code ran and its step was journaled, before the hop committed.
- `sessionteam`: a scripted `writer` posts two code blocks in two turns; `runner` runs each (a person approves) in
  the run's session of the pool `ACA_SESSIONS_ENDPOINT` names, so a variable the first defines is there for the
  second — whichever host process runs it.
"""

from __future__ import annotations

import os
from pathlib import Path

from switchboard.agentchat import (
    ApprovalRequest,
    ApprovalResponse,
    AssistantAgent,
    CodeExecutorAgent,
    PerRunExecutor,
)
from switchboard.agentchat.code_sessions import session_directory
from switchboard.code_execution import CodeExecutor
from switchboard.code_execution.factory import executor_from_settings
from switchboard.code_execution.local import LocalCommandLineCodeExecutor
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination


def run_executor(run_id: str) -> CodeExecutor:
    """The run's sandboxed executor: its work directory is named after the run."""
    return LocalCommandLineCodeExecutor(
        work_dir=session_directory(Path(os.environ["CODE_CRASH_WORK_DIR"]), run_id), timeout=20
    )


def trusted(request: ApprovalRequest) -> ApprovalResponse:
    """This test's code is its own: approved without a person."""
    return ApprovalResponse(approved=True, reason="test code")


def code_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """One turn of the code writer: write, run, reflect."""
    coder = CodeExecutorAgent(
        "coderunner", PerRunExecutor(run_executor), model_client=model_client, approval_func=trusted
    )
    return RoundRobinGroupChat([coder], termination=MaxMessageTermination(2), name="codeteam")


def session_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """writer, runner, writer, runner: two executions in one session."""
    writer = AssistantAgent("writer", model_client=model_client)
    runner = CodeExecutorAgent(
        "runner", PerRunExecutor(lambda run_id: executor_from_settings(run_id, timeout=20)), sources=["writer"]
    )
    return RoundRobinGroupChat([writer, runner], termination=MaxMessageTermination(5), name="sessionteam")


TEAMS = {
    "codeteam": TeamSpec(name="codeteam", description="code crash test", build=code_team, report_author="coderunner"),
    "sessionteam": TeamSpec(
        name="sessionteam", description="session across restarts", build=session_team, report_author="runner"
    ),
}

app = build_function_app(TEAMS, entities_for(TEAMS))
