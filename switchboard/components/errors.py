"""The components package's one root error, always naming the JSON path of the offending part."""

from __future__ import annotations

from switchboard.errors import PermanentError


class ComponentError(PermanentError):
    """A declarative component is unsupported, malformed, not allowed, or holds a secret.

    Attributes:
        path: Where in the JSON the problem is, e.g. `config.participants[1].config.tools[0]` (`""` for the root).
    """

    def __init__(self, path: str, problem: str) -> None:
        """Say what is wrong (`problem`) at `path`; the message never contains a secret's value."""
        super().__init__(f"{path or '<root>'}: {problem}")
        self.path = path
        self.problem = problem
