"""Parsing `.bicep` files with tree-sitter-bicep, and the small vocabulary every check shares.

`Infra` loads every `.bicep` file under a directory; `BicepFile` answers questions about one parse tree
(declarations, properties of a resource body); `Finding` is what every check reports, with file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tree_sitter_bicep
from tree_sitter import Language, Node, Parser

DECLARATION_KINDS = {
    "parameter_declaration": "param",
    "variable_declaration": "var",
    "resource_declaration": "resource",
    "module_declaration": "module",
    "output_declaration": "output",
    "type_declaration": "type",
    "user_defined_function": "func",
}
"""Top-level declaration node → the Bicep keyword that makes it."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place: printed as `file:line: [rule] message`."""

    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.message}"


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_bicep.language()))


def parse(source: bytes) -> Node:
    """The root node of `source`'s concrete syntax tree (tree-sitter recovers from errors; see `syntax_findings`)."""
    return _parser().parse(source).root_node


def text(node: Node) -> str:
    """The source text of `node`."""
    return (node.text or b"").decode()


def line(node: Node) -> int:
    """1-based line where `node` starts."""
    return node.start_point[0] + 1


def named_children(node: Node) -> list[Node]:
    """Named children without comments."""
    return [child for child in node.named_children if child.type != "comment"]


@dataclass(eq=False)
class BicepFile:
    """One parsed `.bicep` file."""

    path: Path
    name: str
    """Path relative to the infra root, as findings print it."""
    root: Node

    @classmethod
    def load(cls, path: Path, base: Path) -> BicepFile:
        """Parse `path`; findings name it relative to `base`'s parent (e.g. `infra/main.bicep`)."""
        return cls(path=path, name=path.relative_to(base.parent).as_posix(), root=parse(path.read_bytes()))

    def finding(self, node: Node | None, rule: str, message: str) -> Finding:
        """A finding at `node` (line 1 when None)."""
        return Finding(self.name, line(node) if node is not None else 1, rule, message)

    def declarations(self, kind: str | None = None) -> dict[str, Node]:
        """Top-level declarations by name, optionally of one keyword (`param`, `var`, `resource`, ...)."""
        found: dict[str, Node] = {}
        for node in named_children(self.root):
            keyword = DECLARATION_KINDS.get(node.type)
            if keyword is None or (kind is not None and keyword != kind):
                continue
            name = next((c for c in named_children(node) if c.type == "identifier"), None)
            if name is not None:
                found[text(name)] = node
        return found

    def resources(self, type_prefix: str = "") -> Iterator[tuple[str, str, Node]]:
        """(symbol, resource type without API version, declaration) of every resource, `existing` ones included."""
        for symbol, node in self.declarations("resource").items():
            kind = resource_type(node)
            if kind.lower().startswith(type_prefix.lower()):
                yield symbol, kind, node

    def modules(self) -> Iterator[tuple[str, Path, Node]]:
        """(symbol, target file, declaration) of every local module (registry modules are skipped)."""
        for symbol, node in self.declarations("module").items():
            target = string_literal(next(c for c in named_children(node) if c.type == "string"))
            if target is not None and not target.startswith(("br:", "br/", "ts:", "ts/")):
                yield symbol, (self.path.parent / target).resolve(), node


def resource_type(declaration: Node) -> str:
    """`Microsoft.X/y` of a resource declaration (the API version dropped)."""
    literal = string_literal(next(c for c in named_children(declaration) if c.type == "string")) or ""
    return literal.split("@", 1)[0]


def api_version(declaration: Node) -> str:
    """The API version of a resource declaration ('' when missing)."""
    literal = string_literal(next(c for c in named_children(declaration) if c.type == "string")) or ""
    return literal.split("@", 1)[1] if "@" in literal else ""


def is_existing(declaration: Node) -> bool:
    """Whether a resource declaration references an existing resource instead of deploying one."""
    return any(child.type == "existing" for child in declaration.children)


def body(declaration: Node) -> Node | None:
    """The object a resource/module declaration deploys, through a condition or a loop."""
    value = declaration.children[-1]
    while value.type in {"if_statement", "for_statement"}:
        value = named_children(value)[-1]
    return value if value.type == "object" else None


def properties(obj: Node) -> dict[str, Node]:
    """Key → `object_property` node of an object literal (quoted keys unquoted; interpolated keys skipped)."""
    found: dict[str, Node] = {}
    for child in named_children(obj):
        if child.type != "object_property":
            continue
        key = named_children(child)[0]
        name = text(key) if key.type == "identifier" else string_literal(key)
        if name is not None:
            found[name] = child
    return found


def value_of(prop: Node) -> Node:
    """The value node of an `object_property`."""
    return named_children(prop)[-1]


def lookup(obj: Node | None, *path: str) -> Node | None:
    """The `object_property` at `path` inside nested object literals, or None."""
    prop: Node | None = None
    for key in path:
        if obj is None or obj.type != "object":
            return None
        prop = properties(obj).get(key)
        if prop is None:
            return None
        obj = value_of(prop)
    return prop


def string_literal(node: Node | None) -> str | None:
    """The value of a string without interpolation, else None."""
    if node is None or node.type != "string":
        return None
    parts = named_children(node)
    if any(part.type not in {"string_content", "escape_sequence"} for part in parts):
        return None
    return "".join(text(part) if part.type == "string_content" else unescape(text(part)) for part in parts)


def unescape(sequence: str) -> str:
    """The character a string escape sequence stands for."""
    return {"\\n": "\n", "\\r": "\r", "\\t": "\t", "\\\\": "\\", "\\'": "'", "\\$": "$"}.get(sequence, sequence)


@dataclass
class Infra:
    """Every `.bicep` file under a directory (e.g. `infra/`), parsed once."""

    root: Path
    files: dict[Path, BicepFile] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Infra:
        """Parse every `*.bicep` file under `root`."""
        infra = cls(root=root.resolve())
        for path in sorted(infra.root.rglob("*.bicep")):
            infra.files[path.resolve()] = BicepFile.load(path.resolve(), infra.root)
        return infra

    def file(self, path: Path) -> BicepFile | None:
        """The parsed file at `path`, if it is part of this tree."""
        return self.files.get(path.resolve())

    def __iter__(self) -> Iterator[BicepFile]:
        return iter(self.files.values())


def syntax_findings(infra: Infra) -> list[Finding]:
    """Every ERROR or MISSING node of every file, and every resource type without an API version."""
    return [finding for bicep in infra for finding in syntax_errors(bicep)]


def syntax_errors(bicep: BicepFile) -> list[Finding]:
    """ERROR and MISSING nodes of one file, and resource types without an API version."""
    findings: list[Finding] = []
    for node in walk(bicep.root):
        if node.is_missing:
            findings.append(bicep.finding(node, "syntax", f"missing {node.type!r}"))
        elif node.is_error:
            snippet = text(node).strip().splitlines()[0][:60] if text(node).strip() else ""
            findings.append(bicep.finding(node, "syntax", f"cannot parse {snippet!r}"))
    for symbol, kind, node in bicep.resources():
        if not api_version(node):
            findings.append(bicep.finding(node, "syntax", f"resource {symbol} ({kind}) has no @api-version"))
    return findings


def walk(node: Node) -> Iterator[Node]:
    """Every node of a subtree, depth first (the node itself first)."""
    yield node
    for child in node.children:
        yield from walk(child)
