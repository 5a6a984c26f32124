"""Parameter-file rules: what azd and `az deployment` hand the template, and the region it falls back to.

azd reads `<module>.bicepparam` when it exists and then ignores `<module>.parameters.json`; it runs the `.bicepparam`
with the azd environment's variables, which the file reads with `readEnvironmentVariable(name, default)`. So every
variable azd users set must be read there, each read needs a default (an unset variable fails the build otherwise),
and a region default in the file would override the template's `resourceGroup().location`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Node

from tests.infra.bicep_checks.symbols import PARAM_LINE, _references
from tests.infra.bicep_checks.syntax import BicepFile, Finding, Infra, named_children, parse, string_literal, text, walk

READ_ENVIRONMENT = "readEnvironmentVariable"


def load_parameters(infra: Infra, path: Path) -> BicepFile:
    """A `.bicepparam` file parsed with its `param x = v` lines read as `var x = v` (same lines and columns)."""
    name = path.relative_to(infra.root.parent).as_posix()
    return BicepFile(path=path, name=name, root=parse(PARAM_LINE.sub(rb"var  \1", path.read_bytes())))


def template_of(infra: Infra, params: BicepFile) -> BicepFile | None:
    """The template a parameter file's `using` statement names, when it is part of `infra`."""
    using = next((c for c in named_children(params.root) if c.type == "using_statement"), None)
    target = string_literal(named_children(using)[0]) if using is not None else None
    return infra.file(params.path.parent / target) if target is not None else None


@dataclass(frozen=True)
class EnvironmentRead:
    """One `readEnvironmentVariable(variable[, default])` call and the parameter it sets."""

    variable: str
    default: str | None
    param: str
    node: Node


def environment_reads(params: BicepFile) -> list[EnvironmentRead]:
    """Every `readEnvironmentVariable` call of a parameter file, in source order."""
    reads: list[EnvironmentRead] = []
    for param, declaration in params.declarations("var").items():
        for node in walk(declaration):
            function = node.child_by_field_name("function") if node.type == "call_expression" else None
            if function is None or text(function).removeprefix("sys.") != READ_ENVIRONMENT:
                continue
            arguments = named_children(node.child_by_field_name("arguments") or named_children(node)[-1])
            variable = string_literal(arguments[0]) if arguments else None
            default = string_literal(arguments[1]) if len(arguments) > 1 else None
            if variable is not None:
                reads.append(EnvironmentRead(variable, default, param, node))
    return reads


def azd_variable_findings(infra: Infra, path: Path, variables: Mapping[str, str]) -> list[Finding]:
    """Variables azd users set that the parameter file azd reads does not pass on, or passes without a default.

    Args:
        infra: The templates.
        path: The `.bicepparam` file azd uses (`infra/main.bicepparam`).
        variables: azd variable → the template parameter it must set.
    """
    params = load_parameters(infra, path)
    reads = environment_reads(params)
    by_variable = {read.variable: read for read in reads}
    using = next((c for c in named_children(params.root) if c.type == "using_statement"), None)
    findings: list[Finding] = []
    for variable, param in variables.items():
        read = by_variable.get(variable)
        if read is None:
            findings.append(
                params.finding(
                    using,
                    "params",
                    f"azd variable {variable} is not read: azd provisions with this file (it ignores "
                    f"main.parameters.json), so `azd env set {variable}` never reaches parameter {param}",
                )
            )
        elif read.param != param:
            findings.append(params.finding(read.node, "params", f"{variable} sets parameter {read.param}, not {param}"))
    for read in reads:
        if read.default is None:
            findings.append(
                params.finding(
                    read.node,
                    "params",
                    f"{READ_ENVIRONMENT}('{read.variable}') has no default: the build fails wherever it is unset",
                )
            )
    return findings


def shadowed_parameter_findings(infra: Infra) -> list[Finding]:
    """A `<module>.parameters.json` beside a `<module>.bicepparam`: azd reads the `.bicepparam` and ignores the JSON."""
    findings: list[Finding] = []
    for bicepparam in sorted(infra.root.rglob("*.bicepparam")):
        shadowed = bicepparam.with_name(f"{bicepparam.stem}.parameters.json")
        if shadowed.exists():
            name = shadowed.relative_to(infra.root.parent).as_posix()
            findings.append(
                Finding(
                    name,
                    1,
                    "params",
                    f"azd ignores this file because {bicepparam.name} exists: its values never reach the "
                    f"deployment; read the variables in {bicepparam.name} instead",
                )
            )
    return findings


def region_findings(infra: Infra, path: Path, param: str = "location") -> list[Finding]:
    """A region hard-coded in the parameter file, or a template that reads the region without its fallback.

    The parameter file must pass `''` when no region is given (a literal region would override the template's
    `resourceGroup().location` on every `az deployment group create`), and the template must read the parameter only
    through `empty(<param>) ? resourceGroup().location : <param>`.
    """
    params = load_parameters(infra, path)
    findings: list[Finding] = []
    declaration = params.declarations("var").get(param)
    if declaration is not None:
        value = declaration.children[-1]
        literal = string_literal(value)
        read = next((r for r in environment_reads(params) if r.param == param), None)
        default = literal if literal is not None else read.default if read is not None else None
        if default:
            findings.append(
                params.finding(
                    declaration,
                    "params",
                    f"{param} defaults to {default!r}: with no region given it overrides the template's "
                    "resourceGroup().location; pass '' so the resource group's region applies",
                )
            )
    template = template_of(infra, params)
    if template is None:
        return findings
    fallback = re.compile(rf"^empty\({param}\)\?resourceGroup\(\)\.location:{param}$")
    for kind, node, _ in _references(template.root, frozenset(template.declarations())):
        if kind != "name" or text(node) != param:
            continue
        if not any(fallback.match(re.sub(r"\s+", "", text(a))) for a in _ancestors(node, "ternary_expression")):
            findings.append(
                template.finding(
                    node,
                    "params",
                    f"reads {param} without its fallback: an unset AZURE_LOCATION passes '', so read "
                    f"`empty({param}) ? resourceGroup().location : {param}` (a variable) instead",
                )
            )
    return findings


def _ancestors(node: Node, kind: str) -> list[Node]:
    found: list[Node] = []
    parent = node.parent
    while parent is not None:
        if parent.type == kind:
            found.append(parent)
        parent = parent.parent
    return found
