"""Every Bicep file parses, every name it reads is declared, and the parameter files fit main.bicep (offline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.infra.bicep_checks.symbols import parameter_file_findings, symbol_findings
from tests.infra.bicep_checks.syntax import Infra, syntax_findings

INFRA = Path(__file__).resolve().parents[2] / "infra"


@pytest.fixture(scope="module")
def infra() -> Infra:
    return Infra.load(INFRA)


def test_the_stack_is_a_main_template_and_one_module_per_concern(infra: Infra) -> None:
    names = {bicep.name for bicep in infra}
    assert {"infra/main.bicep", "infra/modules/servicebus.bicep", "infra/modules/functionapp.bicep"} <= names
    main = next(bicep for bicep in infra if bicep.name == "infra/main.bicep")
    modules = {path.name for _, path, _ in main.modules()}
    assert modules == {path.name for path in (INFRA / "modules").glob("*.bicep")}, "a module main.bicep never uses"


def test_every_bicep_file_parses_without_error_nodes(infra: Infra) -> None:
    assert syntax_findings(infra) == []


def test_every_symbol_is_declared_and_modules_match_their_params_and_outputs(infra: Infra) -> None:
    assert symbol_findings(infra) == []


def test_the_parameter_file_sets_only_declared_params_and_every_required_one(infra: Infra) -> None:
    assert parameter_file_findings(infra, INFRA / "main.bicepparam") == []


def test_templates_avoid_what_the_offline_parser_cannot_see_into() -> None:
    # Spread and resourceInput<> do not parse; registry modules cannot be resolved offline, so no symbol or drift
    # check could see inside them.
    for path in INFRA.rglob("*.bicep"):
        code = "\n".join(line.split("//", 1)[0] for line in path.read_text().splitlines())
        assert not re.search(r"\.\.\.\s*[\w{(]", code), path
        assert "resourceInput<" not in code, path
        assert "br/public:" not in code, path
        assert "br:" not in code, path


def test_target_scope_is_a_resource_group_as_the_readme_deploys_it() -> None:
    assert re.search(r"^targetScope = 'resourceGroup'$", (INFRA / "main.bicep").read_text(), re.MULTILINE)
