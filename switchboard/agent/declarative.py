"""`.dump_component()` on every object that has AutoGen's declarative form (teams, agents, models, conditions, …).

AutoGen puts `dump_component()` on each component class. Here the JSON writer lives in `switchboard.components`, the
top of the framework (it knows every kind and AutoGen's provider names), while the classes it writes sit in layers
below it and may not import it. So this mixin, in the lowest layer they all share, resolves the writer when the
method is called: the static import graph stays layered, and users get AutoGen's method.
"""

from __future__ import annotations

import importlib
from typing import Any


class Declarative:
    """Mixin: `.dump_component()` writes this object as AutoGen 0.7 component JSON."""

    def dump_component(self) -> dict[str, Any]:
        """The AutoGen component JSON (as a dict) of this object; `switchboard.load_component` reads it back.

        Raises:
            switchboard.components.ComponentError: Part of it holds code or has no AutoGen form; its `path` says
                where.
        """
        # Resolved by name at call time, not imported: `switchboard.components` sits above every class that mixes
        # this in (see the module docstring).
        writer = importlib.import_module("switchboard.components")
        dumped: dict[str, Any] = writer.dump_component(self)
        return dumped
