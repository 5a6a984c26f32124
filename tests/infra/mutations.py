"""Breaking one rule in a copy of infra/ for the mutation tests: each check must then name the file and line."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.infra.bicep_checks.syntax import Finding, Infra

INFRA = Path(__file__).resolve().parents[2] / "infra"


@dataclass(frozen=True)
class Breakage:
    """Replace `old` by `new` in `file`; the `check` must report `expected` at the line holding `at` afterwards."""

    check: str
    file: str
    old: str
    new: str
    at: str
    expected: str
    at_file: str = ""
    """The file of the finding when it is not the edited one."""


def block(file: str, start: str) -> str:
    """The text of the top-level declaration of `file` that starts with `start` (through its closing brace)."""
    source = (INFRA / file).read_text()
    begin = source.index(start)
    return source[begin : source.index("\n}\n", begin) + 3]


def break_copy(tmp_path: Path, breakage: Breakage) -> tuple[Infra, int]:
    """A copy of infra/ with one breakage applied, and the line the finding must name."""
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy)
    target = copy / breakage.file
    source = target.read_text()
    assert source.count(breakage.old) == 1, f"{breakage.old!r} must occur once in {breakage.file}"
    changed = source.replace(breakage.old, breakage.new)
    target.write_text(changed)
    located = (copy / breakage.at_file).read_text() if breakage.at_file else changed
    line = next(number for number, content in enumerate(located.splitlines(), 1) if breakage.at in content)
    return Infra.load(copy), line


def reported(breakage: Breakage, line: int, findings: list[Finding]) -> bool:
    """Whether a finding names the breakage's file and line and says what was expected."""
    where = f"infra/{breakage.at_file or breakage.file}:{line}: ["
    return any(str(f).startswith(where) and breakage.expected in str(f) for f in findings)
