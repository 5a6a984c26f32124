"""Errors of the local Functions host: one root, one subclass per way the host refuses to start."""

from __future__ import annotations


class LocalHostError(Exception):
    """Root of every error the local Functions host raises on purpose (the CLI turns it into exit code 2)."""


class AppLoadError(LocalHostError):
    """`function_app.py` (or `host.json`, `local.settings.json`) is missing or fails to load."""


class FunctionValidationError(LocalHostError):
    """A function's name or bindings would be rejected by the Functions host or the Python worker.

    Attributes:
        function_name: The offending function.
        reason: What is wrong with it.
    """

    def __init__(self, function_name: str, reason: str) -> None:
        super().__init__(f"function '{function_name}': {reason}")
        self.function_name = function_name
        self.reason = reason


class SettingMissingError(LocalHostError):
    """A binding names an app setting (connection, `%expression%`) that no source defines."""


class PortInUseError(LocalHostError):
    """The HTTP port is taken."""
