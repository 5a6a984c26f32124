"""docs/your-own-team.md, followed as a new user would, in a temporary copy of the project.

The guide's files are taken from the guide itself (each code block after a `<!-- file: PATH -->` or
`<!-- append: PATH -->` marker), and its commands are run as real processes in the copy, with no `PYTHONPATH`: the
drift check finds the entity list stale, the guide's unit test passes, the team runs in-process and serverless
(emulators, `switchboard host`, Service Bus, Cosmos DB) with the same token counts even before the list is rewritten,
the host's log after its SIGTERM is clean, and `--write` makes the check pass.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.e2e

GUIDE = REPO_ROOT / "docs" / "your-own-team.md"
TASK = "ana@contoso.com: I cannot log in"
_BLOCK = re.compile(r"<!-- (file|append): (\S+) -->\n```\w*\n(.*?)\n```", re.S)
_COPIED = ("switchboard", "agents", "local_emulators", "infra", "function_app.py", "host.json", "pyproject.toml")
_UNCLEAN_STOP = ("Task was destroyed but it is pending", "Unclosed client session", "Unclosed connector")


def guide_blocks() -> list[tuple[str, str, str]]:
    """(file | append, path, text) of every marked code block of the guide, in order."""
    return [(kind, path, text + "\n") for kind, path, text in _BLOCK.findall(GUIDE.read_text(encoding="utf-8"))]


def follow_the_guide(project: Path) -> None:
    """Copy the project to `project` and add the guide's files to it."""
    project.mkdir()
    for name in _COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    for kind, path, text in guide_blocks():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            target.write_text(text, encoding="utf-8")
        else:
            target.write_text(target.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def run_in(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A command of the guide, run in the project as a user would: no PYTHONPATH."""
    assert f"python -m {' '.join(args[:2])}" in GUIDE.read_text(encoding="utf-8"), f"the guide never says {args}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def usage_total(out: str) -> int:
    """The `all` row's total of the printed token usage table."""
    (row,) = [line for line in out.splitlines() if re.search(r"\ball\b", line) and "│" in line]
    return int(row.replace("│", " ").split()[-1])


def test_the_guides_blocks_are_the_team_its_script_its_registration_and_its_test() -> None:
    paths = [path for _, path, _ in guide_blocks()]
    assert paths == [
        "agents/triage.py",
        "agents/scripts/triage_demo.json",
        "agents/registry.py",
        "tests/test_triage.py",
    ]


def test_a_team_added_as_the_guide_says_runs_in_process_and_serverless(tmp_path: Path) -> None:
    project = tmp_path / "project"
    follow_the_guide(project)

    # The step a newcomer forgets: the drift check says the committed entity list lacks the new team's queues.
    stale = run_in(project, "switchboard", "infra", "entities", "--check")
    assert stale.returncode == 1
    assert "lacks the queues ['classifier', 'responder', 'triage']" in " ".join(stale.stderr.split())

    tested = run_in(project, "pytest", "tests/test_triage.py", "-q", "-p", "no:cacheprovider")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout

    in_process = run_in(project, "switchboard", "run", "--in-process", "--team", "triage", "--model", "scripted", TASK)
    assert in_process.returncode == 0, in_process.stdout + in_process.stderr
    assert 'lookup_customer({"email": "ana@contoso.com"}) → enterprise' in in_process.stdout
    assert "an engineer will call you within the hour" in in_process.stdout.split("Report", 1)[1]

    started = time.monotonic()
    serverless = run_in(project, "switchboard", "run", "--team", "triage", "--model", "scripted", TASK, timeout=240)
    assert serverless.returncode == 0, serverless.stdout + serverless.stderr
    out = serverless.stdout
    assert "posted to Service Bus queue 'tasks'" in out
    assert 'lookup_customer({"email": "ana@contoso.com"}) → enterprise' in out
    assert "completed: maximum number of messages 3 reached" in " ".join(out.split())
    # The scripted model counts tokens one way: the same totals in-process and serverless.
    assert usage_total(out) == usage_total(in_process.stdout) > 0
    # The host was stopped with SIGTERM when the run ended; its log shows a clean stop.
    workdir = Path(re.search(r"emulators and logs in (\S+)", out).group(1))  # type: ignore[union-attr]
    host_log = (workdir / "host.log").read_text(errors="replace")
    assert "stopping: no new messages" in host_log
    assert not [marker for marker in _UNCLEAN_STOP if marker in host_log], host_log[-3000:]
    assert time.monotonic() - started < 200
    # Run before the entity list was rewritten: the run created the registry's entities and said the file is stale.
    assert "note: infra/entities.json is stale: it lacks the queues" in " ".join(out.split())

    written = run_in(project, "switchboard", "infra", "entities", "--write")
    assert written.returncode == 0, written.stdout + written.stderr
    listed = json.loads((project / "infra" / "entities.json").read_text())
    assert {"triage", "classifier", "responder"} <= {q["name"] for q in listed["serviceBus"]["queues"]}
    checked = run_in(project, "switchboard", "infra", "entities", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    typo = run_in(project, "switchboard", "run", "--in-process", "--team", "triag", "--model", "scripted", TASK)
    assert typo.returncode == 2
    assert "unknown team 'triag'; this app offers" in " ".join(typo.stderr.replace("│", " ").split())


CLI_REGISTRY = """
from agents.registry import TEAMS as SERVED
from switchboard.agentchat import AssistantAgent
from switchboard.teams import RoundRobinGroupChat, TeamSpec
from switchboard.termination import MaxMessageTermination


def helpdesk(model_client):
    answerer = AssistantAgent("answerer", model_client=model_client)
    return RoundRobinGroupChat([answerer], termination=MaxMessageTermination(2), name="helpdesk")


# A team the CLI knows (its queues exist) but function_app.py does not serve: the ingress refuses its tasks.
TEAMS = {**SERVED, "helpdesk": TeamSpec("helpdesk", "not served", helpdesk, report_author="answerer")}
"""


def test_waiting_on_a_task_the_apps_ingress_dead_letters_ends_in_seconds_with_the_reason(tmp_path: Path) -> None:
    from switchboard.cli.local_stack import LocalStack

    project = tmp_path / "project"
    follow_the_guide(project)
    (project / "cli_registry.py").write_text(CLI_REGISTRY, encoding="utf-8")
    entities = run_in(project, "switchboard", "infra", "entities", "--registry", "cli_registry:TEAMS")
    assert entities.returncode == 0, entities.stderr
    stack = LocalStack(project, model_env={}, entities_json=entities.stdout)
    with stack:
        started = time.monotonic()
        waited = run_in(
            project,
            *("switchboard", "submit", "--team", "helpdesk", "--registry", "cli_registry:TEAMS", "--wait"),
            *("--timeout", "120", "--settings", str(stack.settings_file), TASK),
        )
        elapsed = time.monotonic() - started
    assert waited.returncode == 1, waited.stdout + waited.stderr
    out = " ".join(waited.stdout.split())
    assert re.search(r"the ingress dead-lettered the task of run \S+: unknown team 'helpdesk'; this app offers", out)
    assert "switchboard dlq show tasks" in out
    assert elapsed < 30, f"took {elapsed:.1f}s"  # seconds, not the 120 s timeout
