"""Two scripted models from one server, chosen by the request's model name; a team whose reviewer uses the second.

The in-process run is `switchboard run --in-process` as a user runs it (a real process, settings in its
environment), against the scripted server as a real process reached through the openai SDK.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from agents.registry import RESEARCH_TEAM
from tests.support.processes import REPO_ROOT, free_port, running_module
from tests.support.two_models import (
    MODEL_ENV,
    REVIEWER_COMPLETION_TOKENS,
    REVIEWER_MODEL,
    REVIEWER_PROMPT_TOKENS,
    TEAM_MODEL,
    server_args,
)

TASK = "How does Switchboard make agent effects happen exactly once?"


def _get(port: int, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _chat(port: int, model: str, agent: str) -> dict[str, Any]:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}]}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/chat/completions",
        data=body,
        headers={"content-type": "application/json", "x-switchboard-agent": agent},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        return dict(json.load(reply))


def test_the_request_model_picks_the_script_and_the_control_plane_addresses_each(tmp_path: Path) -> None:
    port = free_port()
    args = ["--script", str(RESEARCH_TEAM.demo_script), "--port", str(port), *server_args(tmp_path)]
    with running_module("local_emulators.openai", args, port=port, log_path=tmp_path / "server.log"):
        assert [m["id"] for m in _get(port, "/v1/models")[1]["data"]] == [TEAM_MODEL, REVIEWER_MODEL]
        small = _chat(port, REVIEWER_MODEL, "reviewer")
        big = _chat(port, TEAM_MODEL, "reviewer")
        other = _chat(port, "gpt-4o-mini", "planner")  # an unserved name: the default script
        assert (small["model"], small["usage"]["prompt_tokens"]) == (REVIEWER_MODEL, 111)
        assert big["model"] == TEAM_MODEL
        assert big["usage"]["prompt_tokens"] != 111
        assert other["model"] == TEAM_MODEL
        assert [r["agent"] for r in _get(port, f"/_script/requests?model={REVIEWER_MODEL}")[1]["requests"]] == [
            "reviewer"
        ]
        assert len(_get(port, "/_script/requests")[1]["requests"]) == 2
        status, error = _get(port, "/_script/requests?model=nope")
        assert status == 404
        assert "no scripted model 'nope'" in error["error"]["message"]


def test_a_bad_model_script_argument_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "local_emulators.openai",
            "--script",
            str(RESEARCH_TEAM.demo_script),
            "--model-script",
            "small",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "--model-script takes NAME=FILE, got 'small'" in done.stderr


def _env(port: int, **settings: str) -> dict[str, str]:
    scrubbed = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_OPENAI", "OPENAI_", "MODEL__"))}
    return {
        **scrubbed,
        "COLUMNS": "160",
        "PYTHONPATH": str(REPO_ROOT),
        "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
        "OPENAI_API_KEY": "scripted",
        **settings,
    }


def test_a_misspelt_agent_setting_stops_the_run_before_any_model_call() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", "run", "--in-process", TASK],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=_env(free_port(), MODEL__REVIEWER__DEPLOYMNT="small"),  # nothing listens: no call may be made
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MODEL__REVIEWER__DEPLOYMNT: not a model setting" in done.stdout
    assert "─ planner" not in done.stdout


def test_an_in_process_run_puts_two_agents_on_two_scripted_models(tmp_path: Path) -> None:
    port = free_port()
    args = ["--script", str(RESEARCH_TEAM.demo_script), "--port", str(port), *server_args(tmp_path)]
    env = _env(port, **MODEL_ENV)
    with running_module("local_emulators.openai", args, port=port, log_path=tmp_path / "server.log"):
        done = subprocess.run(
            [sys.executable, "-m", "switchboard", "run", "--in-process", TASK],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            timeout=120,
            check=False,
        )
        small_requests = _get(port, f"/_script/requests?model={REVIEWER_MODEL}")[1]["requests"]
        big_requests = _get(port, "/_script/requests")[1]["requests"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"model for reviewer: compatible model '{REVIEWER_MODEL}'" in done.stdout
    assert "model for planner" not in done.stdout  # on the team's model
    assert "Verdict: APPROVE" in done.stdout
    # The token table names each agent's model; the reviewer's tokens are the small model's, to the token.
    rows = dict(re.findall(r"│ (\w+)\s*│[^\n]*│ (\w*)\s*│\n", done.stdout))
    assert {name: rows.get(name) for name in ("planner", "researcher", "writer", "reviewer")} == {
        "planner": TEAM_MODEL,
        "researcher": TEAM_MODEL,
        "writer": TEAM_MODEL,
        "reviewer": REVIEWER_MODEL,
    }
    reviewer_row = re.search(r"│ reviewer\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│ small", done.stdout)
    assert reviewer_row, done.stdout
    assert (int(reviewer_row[1]), int(reviewer_row[2])) == (REVIEWER_PROMPT_TOKENS, REVIEWER_COMPLETION_TOKENS)
    assert {r["agent"] for r in small_requests} == {"reviewer"}
    assert {r["body"]["model"] for r in small_requests} == {REVIEWER_MODEL}
    assert "reviewer" not in {r["agent"] for r in big_requests}
    assert {r["body"]["model"] for r in big_requests} == {TEAM_MODEL}
