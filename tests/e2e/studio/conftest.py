"""`switchboard studio --local --model scripted` as a real process (emulators, host and studio), and a browser."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.processes import REPO_ROOT, free_port

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
PRICES = (2.5, 10.0)
"""USD per million prompt / completion tokens the studio is given for its Cost column."""


@dataclass
class Studio:
    """The running studio: its URL, the local host's URL and the local stack's settings (for test-side setup)."""

    url: str
    host_url: str
    workdir: Path

    def settings(self) -> dict[str, str]:
        values = json.loads((self.workdir / "local.settings.json").read_text())["Values"]
        return {str(k): str(v) for k, v in values.items()}

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}/api/{path}", timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("studio") / "studio.log"
    env = {**os.environ, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "switchboard", "studio", "--local", "--model", "scripted", "--port", str(port)]
    command += ["--price-input", str(PRICES[0]), "--price-output", str(PRICES[1])]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        text = ""
        while "Switchboard Studio on" not in text:
            text = log_path.read_text(errors="replace")
            assert process.poll() is None, f"the studio exited with {process.returncode}:\n{text}"
            assert time.monotonic() < deadline, f"the studio did not start:\n{text}"
            time.sleep(0.2)
        found = re.search(r"functions host: (\S+) · emulators and logs in\s+(\S+)", text)
        assert found, text
        yield Studio(f"http://127.0.0.1:{port}", found.group(1), Path(found.group(2)))
    finally:
        # SIGTERM stops the studio as Ctrl-C does: it ends the host and the emulators it started.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, studio: Studio) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    yield opened
    opened.close()
    # Offline by design: every request the page made went to the studio itself (no CDN, no API host, no portal).
    strangers = [url for url in requested if not url.startswith(studio.url + "/")]
    assert not strangers, strangers
