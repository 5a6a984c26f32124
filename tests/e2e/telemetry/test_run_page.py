"""The README's main command: `switchboard run` exports to the local App Insights emulator and prints the run's page.

The emulators stop with the run, so the CLI also prints the command that serves the stored telemetry again on the
same port; run as printed, the printed URL shows the whole run: every agent, and the token totals of the CLI's own
usage table (so the host's last spans were exported before the emulator stopped), in headless chromium too.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.processes import REPO_ROOT, port_open, start_python_module

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TASK = "How does Switchboard make agent effects happen exactly once?"
AGENTS = ("planner", "researcher", "writer", "reviewer")


def _text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def test_the_printed_page_of_the_run_shows_every_agent_and_the_token_totals(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", "run", "--model", "scripted", TASK],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO_ROOT)},
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    page = re.search(r"traces of this run \(local App Insights\): (http://127\.0\.0\.1:(\d+)/runs/(\S+))", out)
    serve = re.search(r"serve the page again: python -m local_emulators\.appinsights (.+)", out)
    assert page, out
    assert serve, out
    url, port, run_id = page.group(1), int(page.group(2)), page.group(3)
    assert f"show {run_id} --data-dir" in out
    usage = re.search(r"all\s*│\s*(\d+)\s*│\s*(\d+)\s*│", out)
    assert usage, out
    args = shlex.split(serve.group(1))
    assert args[args.index("--port") + 1] == str(port)

    assert not port_open(port), "the emulators stop when the run ends"
    emulator = start_python_module(
        "local_emulators.appinsights", args, port=port, log_path=tmp_path / "appinsights.log"
    )
    total = int(usage.group(1)) + int(usage.group(2))
    try:
        html = _text(url)
        run: dict[str, Any] = json.loads(_text(f"http://127.0.0.1:{port}/api/runs/{run_id}"))
        # And as a person sees it: headless Debian chromium draws a lane per agent and the CLI's token total.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": 1400, "height": 900})
                tab.goto(url)
                expect(tab.locator("#run-id")).to_have_text(run_id)
                expect(tab.locator("#total-tokens")).to_have_text(f"{total:,}")
                for agent in run["agents"]:
                    if agent["agent"] in AGENTS:
                        lane = tab.locator(f'section.lane[data-agent="{agent["agent"]}"]')
                        expect(lane).to_be_visible()
                        used = agent["input_tokens"] + agent["output_tokens"]
                        expect(lane.locator(".lane-head")).to_contain_text(f"{used:,} tokens")
            finally:
                browser.close()
    finally:
        emulator.stop()
    assert f'id="run-id">{run_id}<' in html
    for agent in AGENTS:
        assert f'data-agent="{agent}"' in html, agent
    assert (run["run_id"], run["status"], run["errors"]) == (run_id, "ok", 0)
    assert {a["agent"] for a in run["agents"]} >= set(AGENTS)
    # Every agent here calls gpt-4o-mini, which the default price table knows.
    assert all(a["cost_usd"] > 0 and a["llm_calls"] > 0 for a in run["agents"] if a["agent"] in AGENTS)
    assert (run["input_tokens"], run["output_tokens"]) == (int(usage.group(1)), int(usage.group(2)))
    assert run["input_tokens"] + run["output_tokens"] == total
