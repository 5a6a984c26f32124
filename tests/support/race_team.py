"""The team of the two-instances test: a payer with a side-effecting `pay` tool, one turn, round robin.

The tool is the outside world of the test. It logs every attempt with its idempotency key, waits at a file barrier
until both racing instances are inside it (so both really call it at once), and pays once per key: the first
caller creates `effect-<hash of the key>` exclusively, as a payment API dedupes by key, and logs the payment.
Everything lives under `RACE_DIR`; `RACE_INSTANCE` (else the process id) names the caller in the logs and in the
tool's answer.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

from switchboard.agentchat import AssistantAgent
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool

TEAM = "payteam"
PAYER = "payer"
BARRIER_SECONDS = 30.0
"""How long an instance waits in the tool for the other one (the test fails on its logs if it never comes)."""


def _append(path: Path, line: str) -> None:
    # One write of a short line with O_APPEND: lines of the two processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, f"{line}\n".encode())
    finally:
        os.close(fd)


def pay(to: str, amount: int, idempotency_key: str) -> str:
    """Pay someone.

    Args:
        to: The payee.
        amount: How much.
    """
    folder = Path(os.environ["RACE_DIR"])
    # Two handlers racing in one `switchboard host` process share its pid: each call marks its own arrival.
    instance = os.environ.get("RACE_INSTANCE") or f"pid{os.getpid()}"
    _append(folder / "attempts.log", f"{instance} {idempotency_key}")
    (folder / f"inside-{instance}-{uuid.uuid4().hex}").touch()
    deadline = time.monotonic() + BARRIER_SECONDS
    while len(list(folder.glob("inside-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    mark = folder / f"effect-{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}"
    try:
        os.close(os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        return f"{instance}: already paid {to} {amount}"
    _append(folder / "effects.log", f"{instance} {idempotency_key} {to} {amount}")
    return f"{instance}: paid {to} {amount}"


def pay_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """The payer alone, for one turn: the task and the payer's answer make the transcript."""
    payer = AssistantAgent(
        PAYER, model_client=model_client, tools=[FunctionTool(pay, side_effects=True, timeout=60)], tool_choice="pay"
    )
    return RoundRobinGroupChat([payer], termination=MaxMessageTermination(2), name=TEAM)


TEAMS = {TEAM: TeamSpec(name=TEAM, description="two instances on one message", build=pay_team, report_author=PAYER)}
