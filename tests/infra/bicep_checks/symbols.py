"""Symbol checks a Bicep compiler would make: undefined names, unknown functions, module params and outputs, and
parameter files (`.bicepparam`, azd's `main.parameters.json`) against the template they feed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from tree_sitter import Node

from tests.infra.bicep_checks.evaluate import loop_variables
from tests.infra.bicep_checks.syntax import (
    DECLARATION_KINDS,
    BicepFile,
    Finding,
    Infra,
    body,
    line,
    lookup,
    named_children,
    parse,
    properties,
    string_literal,
    syntax_errors,
    text,
    value_of,
    walk,
)

BUILTIN_FUNCTIONS = frozenset(
    name
    for chunk in (
        "any array bool int json string parseCidr cidrHost cidrSubnet concat contains empty first last",
        "indexOf lastIndexOf length max min range skip take union intersection filter map mapValue reduce",
        "sort toObject flatten groupBy objectKeys items shallowMerge tryGet join split replace substring",
        "toLower toUpper trim startsWith endsWith format guid uniqueString uri uriComponent",
        "uriComponentToString base64 base64ToString base64ToJson dataUri dataUriToString newGuid utcNow",
        "dateTimeAdd dateTimeFromEpoch dateTimeToEpoch padLeft loadJsonContent loadYamlContent",
        "loadTextContent loadFileAsBase64 readEnvironmentVariable getSecret deployer environment",
        "subscription resourceGroup tenant managementGroup deployment resourceId subscriptionResourceId",
        "tenantResourceId managementGroupResourceId extensionResourceId reference pickZones providers",
        "coalesce equals greater greaterOrEquals less lessOrEquals not and or if add sub mul div mod",
        "parseUri buildUri fail externalInput",
    )
    for name in chunk.split()
)
"""Functions of Bicep's `sys`/`az` namespaces (`list*` functions are matched by prefix)."""
DECORATORS = frozenset(
    name
    for chunk in (
        "description metadata minLength maxLength minValue maxValue allowed secure batchSize export sealed",
        "discriminator onlyIfNotExists",
    )
    for name in chunk.split()
)
NAMESPACES = frozenset({"sys", "az"})
Reference = tuple[Literal["name", "call"], Node, frozenset[str]]


def symbol_findings(infra: Infra) -> list[Finding]:
    """Undefined names and functions in every file, and modules' params and outputs against their targets."""
    findings: list[Finding] = []
    for bicep in infra:
        findings.extend(undefined_findings(bicep))
        findings.extend(_module_findings(infra, bicep))
    return findings


def undefined_findings(bicep: BicepFile, extra: frozenset[str] = frozenset()) -> list[Finding]:
    """Names read but never declared, and calls of functions that are neither built in nor declared."""
    functions = set(bicep.declarations("func"))
    findings: list[Finding] = []
    for kind, node, scope in _references(bicep.root, frozenset(bicep.declarations()) | extra):
        if kind == "call":
            name = _function_name(node)
            allowed = DECORATORS if node.parent is not None and node.parent.type == "decorator" else BUILTIN_FUNCTIONS
            if name not in allowed and name not in functions and not name.startswith("list"):
                findings.append(bicep.finding(node, "symbols", f"unknown function {name}()"))
        elif text(node) not in scope and text(node) not in NAMESPACES:
            findings.append(bicep.finding(node, "symbols", f"{text(node)} is not declared"))
    return findings


def _function_name(call: Node) -> str:
    name = text(call.child_by_field_name("function") or named_children(call)[0])
    head, _, rest = name.partition(".")
    return rest if head in NAMESPACES and rest else name


def _references(node: Node, scope: frozenset[str]) -> Iterator[Reference]:
    """Identifiers read as values and calls of named functions, each with the names visible there."""
    kind = node.type
    if kind in {"type", "type_declaration", "using_statement", "import_statement", "comment"}:
        return
    if kind == "user_defined_function":
        parameters = next((c for c in named_children(node) if c.type == "parameters"), None)
        names = {text(named_children(p)[0]) for p in named_children(parameters)} if parameters else set()
        yield from _references(named_children(node)[-1], scope | names)
    elif kind in DECLARATION_KINDS:
        for child in named_children(node)[1:]:  # the first identifier is the declared name
            yield from _references(child, scope)
    elif kind == "object_property":
        yield from _references(value_of(node), scope)
    elif kind == "for_statement":
        parts = named_children(node)
        yield from _references(parts[1], scope)  # the array is read outside the loop's scope
        bound = scope | set(loop_variables(node))
        for child in parts[2:]:
            yield from _references(child, bound)
    elif kind == "lambda_expression":
        head = named_children(node)[0]
        names = {text(c) for c in named_children(head)} if head.type == "parenthesized_expression" else {text(head)}
        yield from _references(named_children(node)[-1], scope | names)
    elif kind == "call_expression":
        function = node.child_by_field_name("function") or named_children(node)[0]
        if function.type == "identifier" or _is_namespace_member(function):
            yield "call", node, scope
        else:  # a method on a resource, e.g. storage.listKeys()
            yield from _references(function, scope)
        for argument in named_children(node.child_by_field_name("arguments") or named_children(node)[-1]):
            yield from _references(argument, scope)
    elif kind == "member_expression":
        yield from _references(node.child_by_field_name("object") or named_children(node)[0], scope)
    elif kind == "identifier":
        yield "name", node, scope
    else:
        for child in named_children(node):
            yield from _references(child, scope)


def _is_namespace_member(function: Node) -> bool:
    target = function.child_by_field_name("object") if function.type == "member_expression" else None
    return target is not None and target.type == "identifier" and text(target) in NAMESPACES


def required_params(bicep: BicepFile) -> set[str]:
    """Parameters without a default value (nullable types `string?` are optional too)."""
    required = set()
    for name, node in bicep.declarations("param").items():
        has_default = any(child.type == "=" for child in node.children)
        nullable = "?" in text(next((c for c in named_children(node) if c.type == "type"), node)).replace(name, "")
        if not has_default and not nullable:
            required.add(name)
    return required


def _module_findings(infra: Infra, bicep: BicepFile) -> Iterator[Finding]:
    targets: dict[str, BicepFile] = {}
    for symbol, path, node in bicep.modules():
        target = infra.file(path)
        if target is None:
            yield bicep.finding(node, "modules", f"module {symbol}: {path.name} is not a .bicep file of this tree")
            continue
        targets[symbol] = target
        given = lookup(body(node), "params")
        passed = properties(value_of(given)) if given is not None and value_of(given).type == "object" else {}
        declared = set(target.declarations("param"))
        for name, prop in passed.items():
            if name not in declared:
                yield bicep.finding(
                    prop, "modules", f"module {symbol} passes {name}, which {target.name} does not declare"
                )
        for name in sorted(required_params(target) - set(passed)):
            yield bicep.finding(node, "modules", f"module {symbol} does not pass {target.name}'s required param {name}")
    for node in walk(bicep.root):
        if node.type != "member_expression":
            continue
        outputs = node.child_by_field_name("object")
        if outputs is None or outputs.type != "member_expression" or _member(outputs) != "outputs":
            continue
        owner = outputs.child_by_field_name("object")
        while owner is not None and owner.type == "subscript_expression":  # a looped module: m[i].outputs.x
            owner = owner.child_by_field_name("object")
        if owner is None or text(owner) not in targets:
            continue
        target = targets[text(owner)]
        if _member(node) not in target.declarations("output"):
            yield bicep.finding(
                node, "modules", f"{text(owner)}.outputs.{_member(node)}: {target.name} has no such output"
            )


def _member(node: Node) -> str:
    member = node.child_by_field_name("property")
    return text(member) if member is not None else ""


PARAM_LINE = re.compile(rb"^param(\s)", re.MULTILINE)


def parameter_file_findings(infra: Infra, path: Path) -> list[Finding]:
    """A `.bicepparam` file (syntax, symbols) or a deployment parameters JSON file against the template it feeds.

    Every parameter it sets must be declared by the template, and every required parameter must be set. The
    `.bicepparam` grammar is not part of tree-sitter-bicep: its `param x = value` lines are checked as `var`
    declarations, which share the expression grammar (same lines and columns).
    """
    name = path.relative_to(infra.root.parent).as_posix()
    findings: list[Finding] = []
    assigned: dict[str, int] = {}
    if path.suffix == ".json":
        template = infra.file(path.with_name("main.bicep"))
        lines = path.read_text().splitlines()
        for key in json.loads(path.read_text()).get("parameters", {}):
            assigned[key] = next((n for n, content in enumerate(lines, 1) if f'"{key}"' in content), 1)
    else:
        bicep = BicepFile(path=path, name=name, root=parse(PARAM_LINE.sub(rb"var  \1", path.read_bytes())))
        using = next((c for c in named_children(bicep.root) if c.type == "using_statement"), None)
        target = string_literal(named_children(using)[0]) if using is not None else None
        if target is None:
            return [Finding(name, 1, "params", "no `using '<template>.bicep'` statement")]
        template = infra.file(path.parent / target)
        findings += syntax_errors(bicep) + undefined_findings(bicep)
        assigned = {key: line(node) for key, node in bicep.declarations("var").items()}
    if template is None:
        return [Finding(name, 1, "params", "the template it feeds is not part of this tree")]
    declared = set(template.declarations("param"))
    for key, number in assigned.items():
        if key not in declared:
            findings.append(Finding(name, number, "params", f"{key} is not a parameter of {template.name}"))
    for key in sorted(required_params(template) - set(assigned)):
        findings.append(Finding(name, 1, "params", f"{template.name}'s required parameter {key} is not set"))
    return findings
