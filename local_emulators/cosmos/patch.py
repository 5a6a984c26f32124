"""Partial document update (Cosmos DB patch): add, set, replace, remove, incr, move.

Pure: applies operations to a deep copy of a document and returns the copy, or raises `BadRequestError`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from local_emulators.cosmos.errors import BadRequestError

MAX_OPERATIONS = 10
MAX_PATH_LENGTH = 4096
_OPERATIONS = {"add", "set", "replace", "remove", "incr", "move"}


def _parse_path(path: Any) -> list[str]:
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        raise BadRequestError(f"The patch path '{path}' is invalid: it must start with '/' and name a property.")
    if len(path) > MAX_PATH_LENGTH:
        raise BadRequestError(f"The patch path '{path[:80]}...' is longer than {MAX_PATH_LENGTH} characters.")
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def _is_index(token: str) -> bool:
    # ASCII digits only (str.isdigit also takes "١" or "²"), and short enough to be a real position.
    return token.isascii() and token.isdigit() and len(token) <= 18


def _index(token: str, length: int, *, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return length
    if not _is_index(token):
        raise BadRequestError(f"The patch path segment '{token}' is not a valid array index.")
    index = int(token)
    if index > length or (index == length and not allow_end):
        raise BadRequestError(f"The array index {index} is out of range for an array of length {length}.")
    return index


def _parent(document: dict[str, Any], tokens: list[str], path: str) -> Any:
    node: Any = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and _is_index(token) and int(token) < len(node):
            node = node[int(token)]
        else:
            raise BadRequestError(f"The patch path '{path}' does not exist in the document.")
    if not isinstance(node, dict | list):
        raise BadRequestError(f"The patch path '{path}' does not name a property of an object or an array.")
    return node


def _exists(parent: Any, token: str) -> bool:
    if isinstance(parent, dict):
        return token in parent
    return _is_index(token) and int(token) < len(parent)


def _read(parent: Any, token: str) -> Any:
    return parent[token] if isinstance(parent, dict) else parent[int(token)]


def _apply_one(document: dict[str, Any], operation: dict[str, Any]) -> None:
    kind = operation.get("op")
    if kind not in _OPERATIONS:
        raise BadRequestError(f"The patch operation '{kind}' is not supported.")
    path = operation.get("path")
    tokens = _parse_path(path)
    if kind == "move":
        source_tokens = _parse_path(operation.get("from"))
        source_parent = _parent(document, source_tokens, str(operation.get("from")))
        if not _exists(source_parent, source_tokens[-1]):
            raise BadRequestError(f"The patch 'from' path '{operation.get('from')}' does not exist.")
        value = _read(source_parent, source_tokens[-1])
        if isinstance(source_parent, dict):
            del source_parent[source_tokens[-1]]
        else:
            del source_parent[int(source_tokens[-1])]
        _apply_one(document, {"op": "set", "path": path, "value": value})
        return
    parent = _parent(document, tokens, str(path))
    last = tokens[-1]
    if kind in {"replace", "remove"} and not _exists(parent, last):
        raise BadRequestError(f"The patch path '{path}' does not exist in the document for '{kind}'.")
    if kind != "remove" and "value" not in operation:
        raise BadRequestError(f"The patch operation '{kind}' on '{path}' needs a value.")
    value = copy.deepcopy(operation.get("value"))
    if isinstance(parent, dict):
        if kind == "remove":
            del parent[last]
        elif kind == "incr":
            parent[last] = _increment(parent.get(last, 0), value, str(path))
        else:
            parent[last] = value
        return
    if kind == "remove":
        del parent[_index(last, len(parent), allow_end=False)]
    elif kind == "add":
        parent.insert(_index(last, len(parent), allow_end=True), value)
    elif kind == "incr":
        index = _index(last, len(parent), allow_end=False)
        parent[index] = _increment(parent[index], value, str(path))
    else:
        index = _index(last, len(parent), allow_end=kind == "set")
        if index == len(parent):
            parent.append(value)
        else:
            parent[index] = value


def _increment(current: Any, delta: Any, path: str) -> Any:
    numeric = (int, float)
    if isinstance(current, bool) or not isinstance(current, numeric):
        raise BadRequestError(f"The patch 'incr' path '{path}' does not hold a number.")
    if isinstance(delta, bool) or not isinstance(delta, numeric):
        raise BadRequestError(f"The patch 'incr' value for '{path}' must be a number.")
    return current + delta


def apply_patch(document: dict[str, Any], operations: Sequence[Any]) -> dict[str, Any]:
    """Apply patch operations in order to a copy of `document`.

    Args:
        document: The current document (left untouched).
        operations: The `operations` list of the patch request.

    Returns:
        The patched copy.

    Raises:
        BadRequestError: For an invalid operation, a missing path, or more than 10 operations.
    """
    if not isinstance(operations, list) or not operations:
        raise BadRequestError("The patch request must contain at least one operation.")
    if len(operations) > MAX_OPERATIONS:
        raise BadRequestError(f"A patch request may contain at most {MAX_OPERATIONS} operations.")
    patched = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, dict):
            raise BadRequestError("Each patch operation must be a JSON object.")
        _apply_one(patched, operation)
    return patched
