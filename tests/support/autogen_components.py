"""AutoGen's side of the component round trips: load a component dict the way AutoGen users do."""

from __future__ import annotations

from typing import Any

from autogen_core import ComponentLoader


def autogen_load(spec: dict[str, Any]) -> Any:
    """What `autogen_core.ComponentLoader.load_component(spec)` builds (a team, agent, condition...)."""
    return ComponentLoader.load_component(spec)
