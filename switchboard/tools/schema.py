"""JSON schemas for tool arguments, from a function's type hints and its Google-style docstring."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from switchboard.errors import AgentDefinitionError

_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Returns|Raises|Yields|Example|Examples|Note|Notes):\s*$")
_ARG = re.compile(r"^\s+(\*{0,2}\w+)(?:\s*\([^)]*\))?\s*:\s*(.*)$")


class ToolArguments(BaseModel):
    """Base of every generated arguments model: unknown arguments are errors the model must fix."""

    model_config = ConfigDict(extra="forbid")


def split_docstring(func: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """Read a Google-style docstring.

    Returns:
        The summary (text before the first section) and each argument's description from `Args:`.
    """
    doc = inspect.getdoc(func) or ""
    summary: list[str] = []
    args: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in doc.splitlines():
        header = _SECTION.match(line)
        if header:
            section, current = header.group(1), None
            continue
        if section is None:
            summary.append(line)
        elif section in ("Args", "Arguments", "Parameters"):
            arg = _ARG.match(line)
            # A deeper-indented line continues the previous argument's description.
            if arg and (current is None or _indent(line) <= _indent_of_first_arg(doc, section)):
                current = arg.group(1).lstrip("*")
                args[current] = arg.group(2).strip()
            elif current is not None and line.strip():
                args[current] = f"{args[current]} {line.strip()}".strip()
    return " ".join(" ".join(summary).split()), args


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indent_of_first_arg(doc: str, section: str) -> int:
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == f"{section}:":
            for following in lines[index + 1 :]:
                if following.strip():
                    return _indent(following)
    return 0


def arguments_model(func: Callable[..., Any], name: str, *, exclude: Sequence[str] = ()) -> type[ToolArguments]:
    """Build a Pydantic model of `func`'s parameters, with descriptions from its docstring.

    Parameters named in `exclude` are filled by the host, not the model, and are left out.

    Raises:
        AgentDefinitionError: A parameter lacks a type hint or is `*args`/`**kwargs`.
    """
    hints = typing.get_type_hints(func, include_extras=True)
    _, descriptions = split_docstring(func)
    fields: dict[str, Any] = {}
    for param in inspect.signature(func).parameters.values():
        if param.name in exclude:
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise AgentDefinitionError(f"tool {name!r}: *args/**kwargs cannot be described to a model")
        if param.name not in hints:
            raise AgentDefinitionError(f"tool {name!r}: parameter {param.name!r} needs a type hint")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], Field(default, description=descriptions.get(param.name)))
    model_name = "".join(part.capitalize() for part in re.split(r"[_\-]+", name)) + "Args"
    return create_model(model_name, __base__=ToolArguments, **fields)


def parameters_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of an arguments model as OpenAI's `parameters` wants it (an object, `$defs` kept)."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        # Titles repeat the names and only cost tokens.
        if isinstance(prop, dict):
            prop.pop("title", None)
    schema.setdefault("properties", {})
    schema["type"] = "object"
    return schema
