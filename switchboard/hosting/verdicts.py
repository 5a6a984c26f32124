"""The processor's verdicts in one place: the dead-letter settlement of bad input, span error labels, short reasons."""

from __future__ import annotations

from switchboard.errors import BadMessageError
from switchboard.hosting.settlement import Outcome, Settlement, SettlementKind

MAX_REASON = 1024
"""Longest dead-letter description or stored error, in characters."""


def error_type(settlement: Settlement) -> str | None:
    """The error label of a hop's span: None when the hop went well."""
    failed = settlement.kind is not SettlementKind.COMPLETE or settlement.outcome in (
        Outcome.RUN_FAILED,
        Outcome.RESCHEDULED,
    )
    return (settlement.reason or settlement.kind.value) if failed else None


def dead_letter(error: BadMessageError) -> Settlement:
    """Dead-letter bad input at once, with its reason."""
    return Settlement(
        SettlementKind.DEAD_LETTER, type(error).__name__, bounded(error.reason), outcome=Outcome.BAD_INPUT
    )


def bounded(reason: str) -> str:
    """`reason`, cut to `MAX_REASON` characters."""
    # Dead-letter descriptions and stored errors travel in message properties and run documents: keep them short.
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
