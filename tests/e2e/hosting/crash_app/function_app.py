"""A Function App for the crash test: a two-agent team whose worker calls a side-effecting tool every turn.

The tool writes its effect into an SQLite ledger keyed by the idempotency key Switchboard hands it (as a payment
or mail API would dedupe), and logs every attempt separately, so the test can tell a re-executed tool call (allowed
after a crash, absorbed by the key) from a duplicated effect (never allowed).
"""

from __future__ import annotations

import os
import sqlite3

from switchboard.agentchat import AssistantAgent, BufferedModelContext
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.models.protocol import ModelClient
from switchboard.teams import RoundRobinGroupChat
from switchboard.teams.spec import TeamSpec
from switchboard.termination import MaxMessageTermination
from switchboard.tools import FunctionTool

TURNS = 6
"""Participant turns per run: worker, checker, worker, checker, worker, checker."""


def _ledger() -> sqlite3.Connection:
    connection = sqlite3.connect(os.environ["CRASH_EFFECTS_DB"], timeout=30, isolation_level=None)
    connection.execute("CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, note TEXT)")
    connection.execute("CREATE TABLE IF NOT EXISTS attempts (key TEXT, note TEXT)")
    return connection


def record_effect(note: str, idempotency_key: str) -> str:
    """Record one external effect.

    Args:
        note: What the effect is about.
        idempotency_key: The step's key from Switchboard (hidden from the model).
    """
    connection = _ledger()
    try:
        connection.execute("INSERT INTO attempts VALUES (?, ?)", (idempotency_key, note))
        connection.execute("INSERT OR IGNORE INTO effects VALUES (?, ?)", (idempotency_key, note))
    finally:
        connection.close()
    return f"recorded {note}"


def crash_team(model_client: ModelClient) -> RoundRobinGroupChat:
    """The worker (with the side-effecting tool) and the checker, round robin for `TURNS` turns."""
    worker = AssistantAgent(
        "worker",
        model_client=model_client,
        tools=[FunctionTool(record_effect, side_effects=True)],
        max_tool_iterations=1,
        model_context=BufferedModelContext(6),
    )
    checker = AssistantAgent("checker", model_client=model_client, model_context=BufferedModelContext(6))
    return RoundRobinGroupChat([worker, checker], termination=MaxMessageTermination(1 + TURNS), name="crashteam")


TEAMS = {"crashteam": TeamSpec(name="crashteam", description="crash test", build=crash_team, report_author="checker")}

app = build_function_app(TEAMS, entities_for(TEAMS))
