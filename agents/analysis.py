"""The data-analysis desk: a coder writes Python about a CSV, an executor runs it, a critic checks the answer.

Round robin: the coder answers the question with a ```python block that reads `sales.csv` (shipped in
`agents/data/`, placed in the run's session before its first execution); the executor runs only the coder's blocks
(a `CodeExecutorAgent` with `sources=["coder"]`), each after a person approves it (the durable pause: `switchboard
runs reply ID --approve`, or the terminal prompt of `switchboard run`); the critic reads the output and either
approves with the answer or asks for a fix. The run ends on the critic's approval or after three rounds.

Where the code runs: in the Azure Container Apps session pool named by `ACA_SESSIONS_ENDPOINT` when that is set (the
sessions emulator locally), else in the sandboxed local executor, one work directory per run. Either way the session
is the run's: its files and variables outlive any one host process.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard.agentchat import AssistantAgent, BufferedModelContext, CodeExecutorAgent, PerRunExecutor
from switchboard.code_execution import CodeExecutor
from switchboard.code_execution.factory import executor_from_settings
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.termination import MaxMessageTermination, TextMentionTermination

DATA = Path(__file__).parent / "data" / "sales.csv"
"""The CSV every run analyses (monthly units and revenue per region)."""

APPROVED = "Verdict: APPROVE"
"""What the critic's rendered verdict says when the answer is right (the team stops on it)."""

APPROVAL_TIMEOUT = 3600.0
"""Seconds an execution waits for a person before it is denied."""

MAX_ROUNDS = 3

WORK_ROOT = "switchboard-analysis"
"""Without a sessions pool: the directory (under the system's temporary one) holding each run's work directory."""

CODER_SYSTEM = (
    "You answer questions about the file sales.csv (columns: month, region, units, revenue; one row per month and "
    "region) by writing one short Python program in a ```python code block. The program reads sales.csv from the "
    "current directory with the csv module or pandas and prints the answer with the numbers it is based on. Reply "
    "with the code block only. If the critic or the executor reports a problem, reply with a corrected program."
)
CRITIC_SYSTEM = (
    "You check the answer to the user's question about sales.csv. Read the program's output from the executor. "
    "Reply with JSON: verdict APPROVE and the answer in one sentence with its numbers if the output answers the "
    "question, otherwise REVISE and what the coder must fix."
)


class Verdict(BaseModel):
    """The critic's output: whether the executed code answered the question, and the answer."""

    model_config = ConfigDict(extra="forbid")
    verdict: Literal["APPROVE", "REVISE"]
    answer: Annotated[str, Field(max_length=300)]

    def render(self) -> str:
        """`Verdict: APPROVE — <answer>` or `Verdict: REVISE — <what to fix>`."""
        return f"Verdict: {self.verdict} — {self.answer}"


def run_executor(run_id: str) -> CodeExecutor:
    """The run's executor: its session in the `ACA_SESSIONS_ENDPOINT` pool, else a local work dir kept for the run."""
    return executor_from_settings(run_id, timeout=60, local_work_root=Path(tempfile.gettempdir()) / WORK_ROOT)


def analysis_team(model_client: ModelClient, *, max_rounds: int = MAX_ROUNDS) -> RoundRobinGroupChat:
    """Build the analysis desk around one model client."""
    coder = AssistantAgent(
        "coder",
        model_client=model_client,
        description="Writes Python that answers the question from sales.csv.",
        system_message=CODER_SYSTEM,
        model_context=BufferedModelContext(8),
        max_tokens=400,
    )
    executor = CodeExecutorAgent(
        "executor",
        PerRunExecutor(run_executor, files={DATA.name: DATA.read_bytes()}),
        sources=["coder"],
        supported_languages=["python"],
        approval_timeout=APPROVAL_TIMEOUT,
        description="Runs the coder's Python once a person approves it.",
    )
    critic = AssistantAgent(
        "critic",
        model_client=model_client,
        description="Checks the program's output against the question.",
        system_message=CRITIC_SYSTEM,
        output_type=Verdict,
        render=Verdict.render,
        model_context=BufferedModelContext(6),
        max_tokens=160,
    )
    termination = TextMentionTermination(APPROVED, sources=["critic"]) | MaxMessageTermination(1 + 3 * max_rounds)
    return RoundRobinGroupChat([coder, executor, critic], termination=termination, name="analysis")
