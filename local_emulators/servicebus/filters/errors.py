"""Errors of the subscription filter language (SQL filters and correlation filters)."""

from __future__ import annotations

from local_emulators.servicebus.errors import ServiceBusEmulatorError


class FilterError(ServiceBusEmulatorError):
    """A subscription filter cannot be built."""


class FilterSyntaxError(FilterError):
    """A SQL filter expression does not parse, or names something that does not exist.

    Attributes:
        expression: The whole expression text.
        position: Zero-based character offset in `expression` where the problem starts.
        reason: What is wrong, without the position.
    """

    def __init__(self, reason: str, expression: str, position: int) -> None:
        self.reason = reason
        self.expression = expression
        self.position = position
        super().__init__(f"{reason} at position {position}")
