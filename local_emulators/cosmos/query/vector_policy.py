"""A container's vector embedding policy applied to a query before it is compiled or planned.

Source: learn.microsoft.com/azure/cosmos-db/nosql/query/vectordistance: when a query's `VectorDistance`
gives no `distanceFunction` (or `dataType`), the ones of the vector embedding policy for the compared
path apply. The emulator writes them into the call as its options object, so evaluation, ORDER BY
direction and the query plan all see the container's distance function.

A query vector whose length differs from the policy's `dimensions` is not refused: Azure answers such
queries (Microsoft's `test_query_vector_similarity.py` queries a 2-dimension policy with 128-dimension
vectors and expects results); the scores are undefined, so those rows sort last and project no score.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from local_emulators.cosmos.query import ast

_VECTOR_CALLS = frozenset({"VECTORDISTANCE", "_VECTORSCORE"})


@dataclass(frozen=True)
class VectorSpec:
    """One entry of `vectorEmbeddingPolicy.vectorEmbeddings`."""

    path: str
    data_type: str
    distance: str
    dimensions: int


def embeddings_of(policy: Any) -> tuple[VectorSpec, ...]:
    """The usable entries of a (validated) vector embedding policy; anything malformed is skipped."""
    entries = policy.get("vectorEmbeddings") if isinstance(policy, dict) else None
    found: list[VectorSpec] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        dimensions = entry.get("dimensions")
        found.append(
            VectorSpec(
                path=entry["path"],
                data_type=str(entry.get("dataType", "float32")).lower(),
                distance=str(entry.get("distanceFunction", "cosine")).lower(),
                dimensions=dimensions if isinstance(dimensions, int) and not isinstance(dimensions, bool) else 0,
            )
        )
    return tuple(found)


def path_of(expr: ast.Expr) -> str | None:
    """`/a/b` for `c.a.b` or `c["a"]["b"]`, None for anything that is not a document property path."""
    parts: list[str] = []
    while True:
        if isinstance(expr, ast.Member):
            parts.append(expr.name)
            expr = expr.target
        elif isinstance(expr, ast.Index) and isinstance(expr.index, ast.Literal) and isinstance(expr.index.value, str):
            parts.append(expr.index.value)
            expr = expr.target
        elif isinstance(expr, ast.Ident) and parts:
            return "/" + "/".join(reversed(parts))
        else:
            return None


def _spec_for(call: ast.Call, specs: Mapping[str, VectorSpec]) -> VectorSpec | None:
    """The policy entry of the call's document path (either of its first two arguments)."""
    for argument in call.args[:2]:
        path = path_of(argument)
        if path is not None and path in specs:
            return specs[path]
    return None


def _with_policy(call: ast.Call, spec: VectorSpec) -> ast.Call:
    args = list(call.args)
    if len(args) == 2:
        args.append(ast.Literal(False))
    given: tuple[tuple[str, ast.Expr], ...] = ()
    if len(args) == 4:
        if not isinstance(args[3], ast.ObjectLiteral):
            return call  # a parameter or expression: the query decides, as written
        given = args[3].pairs
        args.pop()
    keys = {key for key, _ in given}
    pairs = list(given)
    if "distanceFunction" not in keys:
        pairs.append(("distanceFunction", ast.Literal(spec.distance)))
    if "dataType" not in keys:
        pairs.append(("dataType", ast.Literal(spec.data_type)))
    return ast.Call(call.name, (*args, ast.ObjectLiteral(tuple(pairs))), call.position)


def _rewrite(node: Any, specs: Mapping[str, VectorSpec]) -> Any:
    if isinstance(node, tuple):
        return tuple(_rewrite(item, specs) for item in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    if isinstance(node, ast.ObjectLiteral):
        return ast.ObjectLiteral(tuple((key, _rewrite(value, specs)) for key, value in node.pairs), node.position)
    rebuilt = dataclasses.replace(
        node, **{f.name: _rewrite(getattr(node, f.name), specs) for f in dataclasses.fields(node)}
    )
    if isinstance(rebuilt, ast.Call) and rebuilt.name in _VECTOR_CALLS and len(rebuilt.args) >= 2:
        spec = _spec_for(rebuilt, specs)
        if spec is not None:
            return _with_policy(rebuilt, spec)
    return rebuilt


def apply(tree: ast.Query, policy: Any) -> ast.Query:
    """The query with the policy's distance function and data type written into its vector calls.

    The same tree comes back when the container has no vector embedding policy.
    """
    specs = {spec.path: spec for spec in embeddings_of(policy)}
    return _rewrite(tree, specs) if specs else tree
