"""The sample team on the embedded real model (SmolLM2 via llama.cpp), through `switchboard run` (serverless).

The model is tiny and not bit-reproducible, so this checks structure, never wording. It needs the embedded
model (`scripts/install_local_model.sh`); `scripts/test.sh` installs it, so CI runs it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

from switchboard.models import local_llm
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.realmodel


@pytest.fixture(autouse=True)
def _embedded_model_installed() -> None:
    # Not a skip: `scripts/test.sh` installs the model, so a missing one is a broken setup, not an optional test.
    # Deselect it explicitly with `-m "not realmodel"` when iterating without the model.
    if not local_llm.is_installed():
        pytest.fail("the embedded model is not installed; run scripts/install_local_model.sh (scripts/test.sh does)")


_NOT_CONFIGURED = ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.mark.timeout(420)
def test_run_with_nothing_configured_uses_the_embedded_model_and_stops_it() -> None:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_CONFIGURED}
    env.update({"COLUMNS": "120", "PYTHONPATH": str(REPO_ROOT)})
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", "run", "Why do agents keep their state in actors?"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=400,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "using the embedded model" in out
    url = re.search(r"embedded SmolLM2-135M \(llama.cpp\) at http://127\.0\.0\.1:(\d+)/v1", out)
    assert url is not None
    speakers = re.findall(r"╭─ (user|planner|researcher|writer|reviewer)\b", out)
    assert speakers[0] == "user"
    cycle = ["planner", "researcher", "writer", "reviewer"]
    assert speakers[1:] == [cycle[i % 4] for i in range(len(speakers) - 1)]
    assert len(speakers) in (5, 9, 13)  # the reviewer ends every round; at most three rounds
    assert out.count("used search_notes") == (len(speakers) - 1) // 4
    assert len(re.findall(r"Verdict: (APPROVE|REVISE) — ", out)) == (len(speakers) - 1) // 4
    assert re.search(r"│ all\s+│\s+[1-9]\d*\s+│\s+[1-9]\d*\s+│", out), "usage must be counted"
    # The default path is serverless: the host ran every agent as a function and the run ended completed in Cosmos.
    assert "posted to Service Bus queue 'tasks'" in out
    assert re.search(r"completed: (text 'Verdict: APPROVE' mentioned by reviewer|maximum number of messages 13)", out)
    # The model server was stopped at exit: nothing listens on its port any more.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(url.group(1)))) != 0
