"""Saved KQL queries of the infra tree: columns a query computes and then throws away.

An `extend` column that no later operator reads is dropped by the next `summarize` / `project`: dead code that reads
as if the result showed it. The scan is lexical (strings and `//` comments skipped, commas split only outside
brackets), which is all the queries here need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.infra.bicep_checks.syntax import Finding, Infra

RESHAPING = ("summarize", "project", "distinct", "count", "top-nested")
"""Operators whose output keeps only the columns they name."""
ASSIGNMENT = re.compile(r"\s*(\w+)\s*=(?!=)")


@dataclass(frozen=True)
class Segment:
    """One pipe stage of a query: its text (comments removed) and the line each character came from."""

    text: str
    lines: tuple[int, ...]

    @property
    def operator(self) -> str:
        return self.text.strip().split(None, 1)[0] if self.text.strip() else ""


def segments(source: str) -> list[Segment]:
    """The pipe stages of a query, split at `|` outside strings and brackets."""
    found: list[Segment] = []
    chars: list[str] = []
    lines: list[int] = []
    depth, quote, number, index = 0, "", 1, 0
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\":
                chars.append(source[index : index + 2])
                lines.extend([number, number])
                index += 2
                continue
            quote = "" if char == quote else quote
        elif source.startswith("//", index):
            end = source.find("\n", index)
            index = len(source) if end < 0 else end
            continue
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            found.append(Segment("".join(chars), tuple(lines)))
            chars, lines = [], []
            index += 1
            continue
        chars.append(char)
        lines.append(number)
        number += char == "\n"
        index += 1
    found.append(Segment("".join(chars), tuple(lines)))
    return found


def extended_columns(segment: Segment) -> list[tuple[str, int]]:
    """(column, line) of every `name = ...` an `extend` stage defines."""
    if segment.operator != "extend":
        return []
    start = segment.text.index("extend") + len("extend")
    pieces: list[tuple[str, int]] = []
    depth, quote, begin, escaped = 0, "", start, False
    flat = segment.text
    for offset in range(start, len(flat) + 1):
        char = flat[offset] if offset < len(flat) else ","
        if quote:
            quote, escaped = ("" if char == quote and not escaped else quote), (char == "\\" and not escaped)
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            match = ASSIGNMENT.match(flat, begin)
            if match is not None:
                pieces.append((match.group(1), segment.lines[min(match.start(1), len(segment.lines) - 1)]))
            begin = offset + 1
    return pieces


def unused_column_findings(infra: Infra, folder: str = "queries") -> list[Finding]:
    """Columns an `extend` defines that no later stage reads although a later stage drops unnamed columns."""
    findings: list[Finding] = []
    for path in sorted((infra.root / folder).glob("*.kql")):
        findings.extend(_unused_columns(path, path.relative_to(infra.root.parent).as_posix()))
    return findings


def _unused_columns(path: Path, name: str) -> list[Finding]:
    stages = segments(path.read_text())
    findings: list[Finding] = []
    for position, stage in enumerate(stages):
        later = stages[position + 1 :]
        dropper = next((s.operator for s in later if s.operator in RESHAPING), None)
        if dropper is None:
            continue
        rest = " ".join(s.text for s in later)
        for column, number in extended_columns(stage):
            if not re.search(rf"\b{re.escape(column)}\b", rest):
                findings.append(
                    Finding(name, number, "queries", f"column {column} is computed but never read: {dropper} drops it")
                )
    return findings
