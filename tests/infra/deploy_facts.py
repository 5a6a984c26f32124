"""What the deployment documentation promises, read from it: the azd variables and the parameters they set.

The table between the `azd-variables` markers of docs/deploy.md is the one list of variables users set (`azd env
set`, or the shell for `az deployment`); every `azd env set NAME` in the README or docs must be one of them, and
`infra/main.bicepparam` must read each one into its parameter (`bicep_checks.parameters.azd_variable_findings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY_DOC = REPO / "docs" / "deploy.md"
ROW = re.compile(r"^\|\s*`(?P<variable>[A-Z][A-Z0-9_]*)`\s*\|\s*`(?P<param>\w+)`\s*\|\s*(?P<default>[^|]*)\|")
AZD_SET = re.compile(r"azd env set\s+([A-Z][A-Z0-9_]*)")


@dataclass(frozen=True)
class AzdVariable:
    """One row of the documented table."""

    variable: str
    param: str
    default: str
    """The default column as written (e.g. `` `User` `` or `` `''` = the resource group's region ``)."""


def azd_variables(doc: Path = DEPLOY_DOC) -> list[AzdVariable]:
    """The rows of the azd variable table of docs/deploy.md, in order."""
    source = doc.read_text()
    start = source.index("<!-- azd-variables:begin")
    table = source[start : source.index("<!-- azd-variables:end -->", start)]
    rows = [ROW.match(line) for line in table.splitlines()]
    return [AzdVariable(m["variable"], m["param"], m["default"].strip()) for m in rows if m is not None]


def variable_params() -> dict[str, str]:
    """azd variable → the `main.bicep` parameter it sets."""
    return {row.variable: row.param for row in azd_variables()}


def documented_azd_sets() -> dict[str, list[str]]:
    """Every variable an `azd env set` in README.md or docs/*.md names → the files that name it."""
    found: dict[str, list[str]] = {}
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        if path.exists():
            for variable in AZD_SET.findall(path.read_text()):
                files = found.setdefault(variable, [])
                if path.name not in files:
                    files.append(path.name)
    return found
