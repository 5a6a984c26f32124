"""`ORDER BY VectorDistance(<document path>, <query vector>)` scored for all rows at once with numpy.

Scoring row by row in Python costs about 0.1 ms per 384-dimension vector, so a top-k query over 10,000
memories took over a second. Here each stored embedding is converted to a numpy array once (cached by
the identity of its list, which the store keeps for as long as the document is unchanged) and the rows'
scores come from one matrix product. Values agree with the scalar `VectorDistance` to floating-point
rounding; rows whose property is not a numeric vector of the query's length score undefined, as there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.evaluator import Bindings, ExpressionCompiler, Params
from local_emulators.cosmos.query.functions.vector import distance_name
from local_emulators.cosmos.query.values import UNDEFINED, number_result

BatchKey = Callable[[list[Bindings], Params], list[Any]]
_CACHE_LIMIT = 200_000
_NUMBER_TYPES = frozenset({int, float})
_cache: dict[int, tuple[list[Any], np.ndarray | None]] = {}
_cache_lock = threading.Lock()


def _constant(node: ast.Expr) -> bool:
    if isinstance(node, ast.Literal | ast.Param):
        return True
    if isinstance(node, ast.Unary):
        return _constant(node.operand)
    return isinstance(node, ast.ArrayLiteral) and all(_constant(item) for item in node.items)


def _array(value: Any) -> np.ndarray | None:
    """The cached float64 array of a stored vector, None when it is not a list of numbers."""
    if not isinstance(value, list):
        return None
    found = _cache.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    ok = bool(value) and all(type(item) in _NUMBER_TYPES for item in value)
    array = np.asarray(value, dtype=np.float64) if ok else None
    with _cache_lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[id(value)] = (value, array)  # holding the list keeps its id from being reused
    return array


def batch_key(compiler: ExpressionCompiler, item: ast.OrderItem) -> BatchKey | None:
    """A whole-batch scorer for an ORDER BY key of the form VectorDistance(path, constant[, bool, {options}])."""
    expr = item.expr
    if not (isinstance(expr, ast.Call) and expr.name == "VECTORDISTANCE" and 2 <= len(expr.args) <= 4):
        return None
    first, second = expr.args[0], expr.args[1]
    if _constant(second) and not _constant(first):
        stored_expr, query_expr = first, second
    elif _constant(first) and not _constant(second):
        stored_expr, query_expr = second, first
    else:
        return None
    extra = expr.args[2:]
    if not all(_constant(arg) or isinstance(arg, ast.ObjectLiteral) for arg in extra):
        return None
    stored, query = compiler.compile(stored_expr), compiler.compile(query_expr)
    options = [compiler.compile(arg) for arg in extra]

    def score(rows: list[Bindings], p: Params) -> list[Any]:
        values: list[Any] = [UNDEFINED] * len(rows)
        q_value = query({}, p)
        q = _array(q_value) if isinstance(q_value, list) else None
        evaluated = [option({}, p) for option in options]
        if evaluated and evaluated[0] is not UNDEFINED and not isinstance(evaluated[0], bool):
            return values
        name = distance_name(evaluated[1] if len(evaluated) > 1 else UNDEFINED)
        if q is None or name is None:
            return values
        indexes, arrays = [], []
        for index, row in enumerate(rows):
            array = _array(stored(row, p))
            if array is not None and array.shape == q.shape:
                indexes.append(index)
                arrays.append(array)
        if not arrays:
            return values
        matrix = np.stack(arrays)
        if name == "dotproduct":
            scores = matrix @ q
        elif name == "euclidean":
            scores = np.sqrt(((matrix - q) ** 2).sum(axis=1))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                scores = (matrix @ q) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(q))
        for index, value in zip(indexes, scores.tolist(), strict=True):
            values[index] = number_result(value)
        return values

    return score
