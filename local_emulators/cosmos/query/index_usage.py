"""Which indexes a query uses, judged from its filter and ORDER BY against the container's indexing policy.

This is what the service reports in `x-ms-cosmos-index-utilization` and what decides how many documents
its evaluation loads (`retrievedDocumentCount`):

- A filter conjunct `path <op> constant` (`=`, `!=`, `<`, `<=`, `>`, `>=`, `IN`, `BETWEEN`,
  `STARTSWITH`, `IS_DEFINED`, ...) on a path the policy indexes is served by that path's range index (a
  utilized single index, `/a/b/?`); on a path the policy excludes, the same index is a potential one.
- A partition key named by the request header (or pinned by the filter) is served by the key's index.
- ORDER BY on several paths uses a composite index of the policy that matches them in order (all
  directions as written, or all reversed), else that composite index is a potential one. A filter on one
  path with ORDER BY on another suggests the composite index (filter path, order path) as Azure does.
- A query whose filter is wholly index-served and whose projection reads no document field
  (`SELECT VALUE COUNT(1) ...`) is answered from the index: it loads no document.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from local_emulators.cosmos.query import ast

_COMPARISONS = {"=", "!=", "<>", "<", "<=", ">", ">="}
_INDEXED_FUNCTIONS = {"STARTSWITH", "IS_DEFINED", "IS_NULL", "IS_STRING", "IS_NUMBER", "IS_BOOL", "ARRAY_CONTAINS"}


@dataclass
class IndexUsage:
    """The indexes a query uses or could use, and whether its filter is wholly index-served."""

    utilized_single: list[str] = field(default_factory=list)
    potential_single: list[str] = field(default_factory=list)
    utilized_composite: list[list[str]] = field(default_factory=list)
    potential_composite: list[list[str]] = field(default_factory=list)
    served_conjuncts: list[ast.Expr] = field(default_factory=list)
    filter_fully_indexed: bool = True
    reads_documents: bool = True

    def document(self) -> dict[str, list[dict[str, Any]]]:
        """The JSON the service base64-encodes into `x-ms-cosmos-index-utilization`."""

        def single(spec: str) -> dict[str, Any]:
            return {
                "FilterExpression": "",
                "IndexSpec": spec,
                "FilterPreciseSet": True,
                "IndexPreciseSet": True,
                "IndexImpactScore": "High",
            }

        def composite(specs: list[str]) -> dict[str, Any]:
            return {"IndexSpecs": specs, "IndexPreciseSet": True, "IndexImpactScore": "High"}

        return {
            "UtilizedSingleIndexes": [single(spec) for spec in self.utilized_single],
            "PotentialSingleIndexes": [single(spec) for spec in self.potential_single],
            "UtilizedCompositeIndexes": [composite(specs) for specs in self.utilized_composite],
            "PotentialCompositeIndexes": [composite(specs) for specs in self.potential_composite],
        }


def _conjuncts(node: ast.Expr | None) -> list[ast.Expr]:
    if node is None:
        return []
    if isinstance(node, ast.Binary) and node.op.upper() == "AND":
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _path(node: ast.Expr, alias: str) -> str | None:
    """`/a/b` for `alias.a.b` (or `alias["a"]["b"]`), else None."""
    names: list[str] = []
    while isinstance(node, ast.Member | ast.Index):
        if isinstance(node, ast.Member):
            names.append(node.name)
        elif isinstance(node.index, ast.Literal) and isinstance(node.index.value, str):
            names.append(node.index.value)
        else:
            return None
        node = node.target
    if not (isinstance(node, ast.Ident) and node.name == alias and names):
        return None
    return "/" + "/".join(reversed(names))


def _constant(node: ast.Expr) -> bool:
    return isinstance(node, ast.Literal | ast.Param) or (
        isinstance(node, ast.ArrayLiteral) and all(_constant(item) for item in node.items)
    )


def _filtered_path(conjunct: ast.Expr, alias: str) -> str | None:
    """The path an index-servable conjunct filters on, or None when no single index can serve it."""
    if isinstance(conjunct, ast.Binary) and conjunct.op in _COMPARISONS:
        for side, other in ((conjunct.left, conjunct.right), (conjunct.right, conjunct.left)):
            if (path := _path(side, alias)) is not None and _constant(other):
                return path
    if isinstance(conjunct, ast.In) and all(_constant(item) for item in conjunct.items):
        return _path(conjunct.value, alias)
    if isinstance(conjunct, ast.Between) and _constant(conjunct.low) and _constant(conjunct.high):
        return _path(conjunct.value, alias)
    if isinstance(conjunct, ast.Call) and conjunct.name in _INDEXED_FUNCTIONS and conjunct.args:
        if conjunct.name == "ARRAY_CONTAINS":
            # ARRAY_CONTAINS(c.tags, 'x') is served by the index of the array's elements, `/tags/[]/?`.
            array = _path(conjunct.args[0], alias)
            wanted = conjunct.args[1:2]
            return array + "/[]" if array is not None and all(_constant(arg) for arg in wanted) else None
        if all(_constant(arg) for arg in conjunct.args[1:]):
            return _path(conjunct.args[0], alias)
    return None


def _matches(pattern: str, path: str) -> bool:
    """Whether an indexing-policy path (`/a/?`, `/a/*`, `/*`) covers the property at `path`."""
    if pattern.endswith("/*"):
        prefix = pattern[:-2]
        return path == prefix or path.startswith(prefix + "/") or prefix == ""
    if pattern.endswith("/?"):
        return path == pattern[:-2]
    return fnmatch.fnmatchcase(path, pattern)


def is_indexed(policy: Mapping[str, Any], path: str) -> bool:
    """Whether the policy's range index covers `path` (the most specific included/excluded path wins)."""
    if str(policy.get("indexingMode", "consistent")).lower() == "none":
        return False
    best_length, indexed = -1, False
    for key, included in (("includedPaths", True), ("excludedPaths", False)):
        for entry in policy.get(key) or []:
            pattern = str(entry.get("path", ""))
            length = len(pattern.rstrip("*?").rstrip("/"))
            if _matches(pattern, path) and length >= best_length:
                best_length, indexed = length, included
    return indexed


def _reads_documents(tree: ast.Query) -> bool:
    """False for a projection made only of COUNT/constants, which the index alone can answer."""
    select = tree.select
    if select.star or tree.group_by or tree.order_by:
        return True
    expressions = [select.value] if select.value is not None else [item.expr for item in select.items]
    return not all(
        isinstance(expr, ast.Literal)
        or (isinstance(expr, ast.Aggregate) and expr.name == "COUNT" and isinstance(expr.arg, ast.Literal))
        for expr in expressions
        if expr is not None
    )


def _composite(order_by: Sequence[ast.OrderItem], alias: str) -> list[str] | None:
    specs = []
    for item in order_by:
        path = _path(item.expr, alias)
        if path is None:
            return None
        specs.append(f"{path} {'DESC' if item.descending else 'ASC'}")
    return specs


def _policy_has(policy: Mapping[str, Any], specs: list[str]) -> bool:
    wanted = [spec.rsplit(" ", 1) for spec in specs]
    flipped = [(path, "ASC" if order == "DESC" else "DESC") for path, order in wanted]
    for index in policy.get("compositeIndexes") or []:
        have = [(str(e.get("path")), str(e.get("order", "ascending"))[:3].upper()) for e in index]
        have = [(path, "DESC" if order == "DES" else "ASC") for path, order in have]
        if have in ([tuple(w) for w in wanted], flipped):
            return True
    return False


def index_usage(tree: ast.Query, policy: Mapping[str, Any], key_paths: Sequence[str] = ()) -> IndexUsage:
    """The indexes `tree` uses on a container with this indexing policy.

    Args:
        tree: The parsed query.
        policy: The container's (completed) indexing policy.
        key_paths: Partition key paths the request scopes the query by (header or pinned filter).
    """
    usage = IndexUsage(reads_documents=_reads_documents(tree))
    source = tree.source
    alias = source.alias if isinstance(source, ast.CollectionSource) and not source.iterate else None
    for key_path in key_paths:
        usage.utilized_single.append(f"{key_path}/?")
    filtered: list[str] = []
    for conjunct in _conjuncts(tree.where):
        path = _filtered_path(conjunct, alias) if alias is not None and not tree.joins else None
        if path is None:
            usage.filter_fully_indexed = False
            continue
        filtered.append(path)
        spec = f"{path}/?"
        if is_indexed(policy, path):
            usage.served_conjuncts.append(conjunct)
            if spec not in usage.utilized_single:
                usage.utilized_single.append(spec)
        else:
            usage.filter_fully_indexed = False
            if spec not in usage.potential_single:
                usage.potential_single.append(spec)
    if alias is not None and tree.order_by:
        specs = _composite(tree.order_by, alias)
        if specs is not None and len(specs) > 1:
            (usage.utilized_composite if _policy_has(policy, specs) else usage.potential_composite).append(specs)
        elif specs is not None and filtered and filtered[0] != specs[0].rsplit(" ", 1)[0]:
            pair = [f"{filtered[0]} ASC", specs[0]]
            (usage.utilized_composite if _policy_has(policy, pair) else usage.potential_composite).append(pair)
    return usage
