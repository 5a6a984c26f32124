"""The partial evaluator the drift rules rely on: what it knows before deployment and what it leaves unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.infra.bicep_checks.evaluate import UNKNOWN, UNKNOWN_TEXT, Evaluator
from tests.infra.bicep_checks.syntax import BicepFile, parse


def evaluate(tmp_path: Path, expression: str, *, json_file: object = None) -> Any:
    if json_file is not None:
        (tmp_path / "data.json").write_text(json.dumps(json_file))
    path = tmp_path / "main.bicep"
    path.write_text(f"param p string\nvar items = [\n  'a'\n  'b'\n]\nvar x = {expression}\n")
    bicep = BicepFile(path=path, name="main.bicep", root=parse(path.read_bytes()))
    return Evaluator(bicep).variable("x")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("map(items, i => '${i}-q')", ["a-q", "b-q"]),
        ("filter(items, i => i != 'a')", ["b"]),
        ("flatten(map(items, i => map(items, j => '${i}${j}')))", ["aa", "ab", "ba", "bb"]),
        ("[for (i, n) in items: if (n > 0) { name: i }]", [{"name": "b"}]),
        ("union({ a: 1 }, { b: true })", {"a": 1, "b": True}),
        ("length(items) == 2 ? 'two' : 'other'", "two"),
        ("items[1]", "b"),
        ("null ?? 'fallback'", "fallback"),
        (
            "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'g')",
            f"{UNKNOWN_TEXT}/Microsoft.Authorization/roleDefinitions/g",
        ),
        ("'${p}/queues/${items[0]}'", f"{UNKNOWN_TEXT}/queues/a"),
    ],
)
def test_known_values(tmp_path: Path, expression: str, expected: Any) -> None:
    assert evaluate(tmp_path, expression) == expected


@pytest.mark.parametrize(
    "expression", ["p", "take(items, 1)", "p == 'x' ? 1 : 2", "map(p, i => i)", "resourceGroup().id"]
)
def test_deployment_time_values_stay_unknown(tmp_path: Path, expression: str) -> None:
    assert evaluate(tmp_path, expression) is UNKNOWN


def test_load_json_content_reads_next_to_the_file(tmp_path: Path) -> None:
    listed = {"serviceBus": {"queues": [{"name": "q1"}, {"name": "q2"}]}}
    value = evaluate(tmp_path, "map(loadJsonContent('data.json').serviceBus.queues, q => q.name)", json_file=listed)
    assert value == ["q1", "q2"]
