"""The `Loader`: walks a component tree, dispatching each `provider` through the allow-list to a builder.

Nothing is imported or executed by name from the JSON: a provider is only a key into `PROVIDERS` (AutoGen's names
and ours map to the same builder), and a tool is only a key into the `ToolRegistry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from switchboard.components.errors import ComponentError
from switchboard.components.spec import ComponentSpec, join, parse
from switchboard.components.tool_registry import ToolRegistry
from switchboard.errors import SwitchboardError
from switchboard.models.protocol import ModelClient

Builder = Callable[["Loader", ComponentSpec, str], Any]
"""Builds our object from a checked spec found at a JSON path."""

ModelOverride = Callable[[ComponentSpec, str], ModelClient | None]
"""Replaces a model client spec by a client of the caller's (tests, local runs); None keeps the spec's."""


@dataclass
class Loader:
    """One load: the allow-list of providers, the allowed tools, and an optional model override.

    Attributes:
        providers: Provider name (AutoGen's full name, its short alias, or ours) to builder.
        kinds: Provider name to the component type it builds (`team`, `agent`, `model`, ...).
        tools: The tools a spec may name.
        model_override: Consulted before building any model client.
    """

    providers: Mapping[str, Builder]
    kinds: Mapping[str, str]
    tools: ToolRegistry = field(default_factory=ToolRegistry)
    model_override: ModelOverride | None = None

    def load(self, data: Any, path: str, expected: str | None = None) -> Any:
        """Build the component `data` found at `path`, which must be of type `expected` when given.

        Raises:
            ComponentError: The provider is not allowed, is of the wrong type, or its config is unsupported.
        """
        spec = parse(data, path)
        builder = self.providers.get(spec.provider)
        if builder is None:
            raise ComponentError(
                join(path, "provider"), f"provider {spec.provider!r} is not on the allow-list of supported components"
            )
        kind = self.kinds[spec.provider]
        if expected is not None and kind != expected:
            raise ComponentError(join(path, "provider"), f"expected a {expected} component, got a {kind}")
        try:
            return builder(self, spec, join(path, "config"))
        except ComponentError:
            raise
        except SwitchboardError as exc:
            # Our constructors' own checks (names, a team that never stops...), reported where the JSON says it.
            raise ComponentError(path, exc.reason) from exc


def unsupported(config: Mapping[str, Any], path: str, keys: Mapping[str, Any]) -> None:
    """Refuse any of `keys` present in `config` with a value other than its default (given as the mapping value).

    Raises:
        ComponentError: Naming the first such key's path.
    """
    for key, default in keys.items():
        if key in config and config[key] != default and config[key] is not None:
            raise ComponentError(join(path, key), f"{key!r} is not supported by Switchboard (only {default!r})")


def want(config: Mapping[str, Any], key: str, kind: type | tuple[type, ...], path: str, default: Any = None) -> Any:
    """`config[key]` checked to be of `kind` (or `default` when absent).

    Raises:
        ComponentError: The value has another type.
    """
    if key not in config or config[key] is None:
        return default
    value = config[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ComponentError(join(path, key), f"expected a number, got {value!r}")
    if not isinstance(value, kind):
        raise ComponentError(join(path, key), f"expected {_kind_name(kind)}, got {type(value).__name__}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)
