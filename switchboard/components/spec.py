"""AutoGen 0.7's component JSON (`provider`, `component_type`, `version`, `component_version`, `config`).

A spec is read from a dict, a JSON string or a file, checked field by field, and written in the same shape.

Secrets never pass through here as values: a literal `api_key` (or any `*_key`/`*password*`/`*secret*`/`*token*`
string) is refused with its path; `${SETTING}` is a setting reference, resolved from the environment when the
component is built.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.components.errors import ComponentError

SECRET_WORDS = ("api_key", "password", "secret", "token", "connection_string", "authorization")
"""Config keys whose string values are secrets (a count such as `max_total_token` is a number, not a string)."""


class ComponentSpec(BaseModel):
    """One component, as AutoGen's `ComponentModel` writes it."""

    model_config = ConfigDict(extra="ignore")
    provider: str
    component_type: str | None = None
    version: int | None = None
    component_version: int | None = None
    description: str | None = None
    label: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)


def read_spec(spec: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    """The component dict from `spec`: a dict, a JSON string, or the path of a JSON file.

    Raises:
        ComponentError: The file is missing or the text is not a JSON object.
    """
    if isinstance(spec, Mapping):
        return dict(spec)
    text = str(spec)
    if isinstance(spec, Path) or not text.lstrip().startswith("{"):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise ComponentError("", f"cannot read component file {str(spec)!r}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ComponentError("", f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ComponentError("", "a component must be a JSON object")
    return data


def parse(data: Any, path: str) -> ComponentSpec:
    """`data` checked as a component at `path`.

    Raises:
        ComponentError: It is not an object with a `provider` and an object `config`.
    """
    if not isinstance(data, dict):
        raise ComponentError(path, "expected a component object with 'provider' and 'config'")
    try:
        return ComponentSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ComponentError(join(path, where), first["msg"]) from None


def join(path: str, key: str | int) -> str:
    """`path` extended by an object key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def secret(config: Mapping[str, Any], key: str, path: str) -> str | None:
    """The secret `config[key]` resolved from its `${SETTING}` reference (None when absent).

    Raises:
        ComponentError: The value is a literal secret, or the referenced setting is not set.
    """
    value = config.get(key)
    if value is None:
        return None
    where = join(path, key)
    if not (isinstance(value, str) and value.startswith("${") and value.endswith("}")):
        raise ComponentError(
            where, "a literal secret is refused: write a setting reference such as '${OPENAI_API_KEY}'"
        )
    name = value[2:-1]
    resolved = os.environ.get(name)
    if resolved is None:
        raise ComponentError(where, f"setting {name!r} is not set")
    return resolved


def refuse_literal_secrets(data: Any, path: str = "") -> None:
    """Refuse any literal secret anywhere in `data` (setting references `${NAME}` pass).

    Raises:
        ComponentError: Naming the path of the first literal secret (never its value).
    """
    if isinstance(data, dict):
        for key, value in data.items():
            where = join(path, str(key))
            lowered = str(key).lower()
            is_secret = isinstance(value, str) and value and any(w in lowered for w in SECRET_WORDS)
            if is_secret and not (value.startswith("${") and value.endswith("}")):
                raise ComponentError(
                    where, "a literal secret is refused: write a setting reference such as '${OPENAI_API_KEY}'"
                )
            refuse_literal_secrets(value, where)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            refuse_literal_secrets(item, join(path, index))


def component(provider: str, component_type: str, config: dict[str, Any], *, version: int = 1) -> dict[str, Any]:
    """A component dict in AutoGen's shape (the label is the class name, as AutoGen writes it)."""
    return {
        "provider": provider,
        "component_type": component_type,
        "version": version,
        "component_version": version,
        "label": provider.rsplit(".", 1)[-1],
        "config": config,
    }
