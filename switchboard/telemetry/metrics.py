"""`Instruments`: the metrics Switchboard records (OpenTelemetry metrics API), per agent and model.

- `switchboard.messages.processed` {message}: every processed message, by agent, queue, outcome and settlement.
- `switchboard.messages.failed` {message}: those abandoned, dead-lettered or failing their run, by error type.
- `switchboard.messages.dead_lettered` {message}: dead-lettered at once (bad input), by reason.
- `switchboard.handler.duration` (s): processing time of one message, by agent and outcome (P50/P95/P99).
- `switchboard.gen_ai.tokens` {token}: model tokens by agent, model and `gen_ai.token.type` (input/output).
- `switchboard.gen_ai.cost` (USD): estimated model cost by agent and model.
"""

from __future__ import annotations

from opentelemetry.metrics import Meter

AGENT = "switchboard.agent"


class Instruments:
    """Creates the instruments once and records into them."""

    def __init__(self, meter: Meter) -> None:
        """Create every instrument on `meter`."""
        self._processed = meter.create_counter("switchboard.messages.processed", unit="{message}")
        self._failed = meter.create_counter("switchboard.messages.failed", unit="{message}")
        self._dead = meter.create_counter("switchboard.messages.dead_lettered", unit="{message}")
        self._duration = meter.create_histogram("switchboard.handler.duration", unit="s")
        self._tokens = meter.create_counter("switchboard.gen_ai.tokens", unit="{token}")
        self._cost = meter.create_counter("switchboard.gen_ai.cost", unit="USD")

    def processed(
        self, agent: str, queue: str, *, outcome: str, settlement: str, error_type: str | None, seconds: float
    ) -> None:
        """Count one processed message and its duration."""
        labels = {AGENT: agent, "messaging.destination.name": queue, "switchboard.outcome": outcome}
        self._processed.add(1, {**labels, "switchboard.settlement": settlement})
        self._duration.record(seconds, labels)
        if error_type is not None:
            self._failed.add(1, {**labels, "error.type": error_type})
        if settlement == "dead_letter":
            self._dead.add(1, {AGENT: agent, "messaging.destination.name": queue, "error.type": error_type or ""})

    def usage(self, agent: str, model: str, input_tokens: int, output_tokens: int, cost: float | None) -> None:
        """Count one model call's tokens and cost."""
        labels = {AGENT: agent, "gen_ai.request.model": model}
        self._tokens.add(input_tokens, {**labels, "gen_ai.token.type": "input"})
        self._tokens.add(output_tokens, {**labels, "gen_ai.token.type": "output"})
        if cost is not None:
            self._cost.add(cost, labels)
