"""The README stays a front door and the docs cite only what the repository holds (offline)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS]
# Top-level directories whose paths the docs quote; a quoted path under one of them must exist.
TOP_DIRS = (
    "switchboard/",
    "agents/",
    "tests/",
    "local_emulators/",
    "scripts/",
    "infra/",
    "benchmarks/",
    "docs/",
    ".ci/",
)
# Paths inside the Azure SDKs' source archives that docs/emulators.md quotes (downloaded into .cache/sdk/, not ours).
SDK_ARCHIVE_PATHS = {"tests/mgmt_tests"}
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _page_id(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


def test_readme_is_a_front_door_of_at_most_250_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, len(lines)
    headings = [line for line in lines if line.startswith("## ")]
    for needed in ("## The two commands", "## Architecture", "## Layout", "## The core in five minutes"):
        assert needed in headings, needed


def test_the_architecture_diagram_is_a_committed_png_with_its_source() -> None:
    assert "](docs/images/architecture.png)" in README.read_text(encoding="utf-8")
    image = REPO / "docs" / "images" / "architecture.png"
    assert image.read_bytes()[:8] == PNG_SIGNATURE
    assert (REPO / "docs" / "images" / "architecture.html").is_file()


def test_the_core_in_five_minutes_runs_as_printed() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("## The core in five minutes") :]
    code = section[section.index("```python\n") + len("```python\n") : section.index("```\n\n")]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "user: Explain why agents talk through queues.",
        "writer: Queues decouple agents; sessions keep each run in order.",
        "editor: Short and clear. APPROVE",
        "text 'APPROVE' mentioned by editor",
    ]


def test_docs_index_links_every_page() -> None:
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    linked = {target.split("#")[0] for target in MARKDOWN_LINK.findall(index)}
    missing = [page.name for page in DOCS if page.name != "README.md" and page.name not in linked]
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_relative_links_resolve_to_files_in_the_repository(page: Path) -> None:
    broken = []
    for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(REPO) or not path.exists():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_quoted_repository_paths_exist(page: Path) -> None:
    missing = []
    for span in CODE_SPAN.findall(page.read_text(encoding="utf-8")):
        for token in span.split():
            path = token.strip(",;:()[]'\"").split("::")[0]
            if not path.startswith(TOP_DIRS) or "<" in path or path in SDK_ARCHIVE_PATHS:
                continue
            if not any(REPO.glob(path.rstrip("/"))) and not (REPO / path).exists():
                missing.append(path)
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_docs_cite_nothing_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "DESIGN.md" not in text
    assert "../shared" not in text
