"""Two scripted models for one research team: the team on `big` (the demo script), its reviewer on `small`.

The reviewer's replies carry fixed token counts, so a run's usage can be checked to the token per model. The
scripted server serves `small` with `--model-script small=FILE`; the agent is pointed at it by its own setting.
"""

from __future__ import annotations

import json
from pathlib import Path

from agents.registry import RESEARCH_TEAM

TEAM_MODEL = "big"
REVIEWER_MODEL = "small"
REVIEWER_PROMPT_TOKENS = 111 + 222
REVIEWER_COMPLETION_TOKENS = 11 + 22

MODEL_ENV = {"OPENAI_MODEL": TEAM_MODEL, "MODEL__REVIEWER__OPENAI_MODEL": REVIEWER_MODEL}
"""Settings (env, local.settings.json or Function App) that put the reviewer on `small`, the rest on `big`."""


def write_reviewer_script(folder: Path) -> Path:
    """The `small` model's script: the demo's two verdicts with fixed usage."""
    assert RESEARCH_TEAM.demo_script is not None
    demo = json.loads(RESEARCH_TEAM.demo_script.read_text(encoding="utf-8"))
    first, second = demo["agents"]["reviewer"]
    script = {
        "agents": {
            "reviewer": [
                {**first, "usage": {"prompt_tokens": 111, "completion_tokens": 11}},
                {**second, "usage": {"prompt_tokens": 222, "completion_tokens": 22}},
            ]
        }
    }
    path = folder / "reviewer-small.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    return path


def server_args(folder: Path) -> list[str]:
    """Arguments for `python -m local_emulators.openai` besides `--script` (the demo): it as `big`, `small` too."""
    return [
        "--model",
        TEAM_MODEL,
        "--model-script",
        f"{REVIEWER_MODEL}={write_reviewer_script(folder)}",
    ]
