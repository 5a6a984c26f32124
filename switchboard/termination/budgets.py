"""Budgets: tokens, wall clock, money and tool calls, counted over EVERY model call of a run and persisted with it.

AutoGen's `TokenUsageTermination` sums only the usage on participants' messages, so speaker-selection and
orchestration calls are free, and its `TimeoutTermination` measures from when the Python object was made. Here a
team manager reports its own model calls in the `RunDelta`, and the counters and the start time live in the
run's `ConditionState`, so a run restored on another host keeps spending from where it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import Usage
from switchboard.termination.base import ConditionState, RunDelta, TerminationCondition


class TokenUsageTermination(TerminationCondition):
    """Stops once the run's tokens reach a limit: total, prompt or completion (any that is given).

    Every model call counts: participants' turns (tool loops included) and the manager's own calls.
    """

    def __init__(
        self,
        max_total_token: int | None = None,
        max_prompt_token: int | None = None,
        max_completion_token: int | None = None,
    ) -> None:
        """Give at least one limit."""
        if max_total_token is None and max_prompt_token is None and max_completion_token is None:
            raise AgentDefinitionError(
                "TokenUsageTermination needs max_total_token, max_prompt_token or max_completion_token"
            )
        self.max_total_token = max_total_token
        self.max_prompt_token = max_prompt_token
        self.max_completion_token = max_completion_token

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Add the delta's tokens; stop when a limit is reached."""
        usage = delta.usage
        prompt = state.prompt_tokens + usage.prompt_tokens
        completion = state.completion_tokens + usage.completion_tokens
        total = prompt + completion
        over = (
            (self.max_total_token is not None and total >= self.max_total_token)
            or (self.max_prompt_token is not None and prompt >= self.max_prompt_token)
            or (self.max_completion_token is not None and completion >= self.max_completion_token)
        )
        stopped = (
            f"Token usage limit reached, total token count: {total}, prompt token count: {prompt}, "
            f"completion token count: {completion}."
            if over
            else None
        )
        return ConditionState(prompt_tokens=prompt, completion_tokens=completion, stopped=stopped)

    def __repr__(self) -> str:
        return f"TokenUsageTermination({self.max_total_token}, {self.max_prompt_token}, {self.max_completion_token})"


class TimeoutTermination(TerminationCondition):
    """The wall-clock budget: stops at the first check `timeout_seconds` or more after the run's first check.

    The start time is persisted, so a run that waited in a queue or was restored on another host still stops on
    time (measured with the manager's clock).
    """

    def __init__(self, timeout_seconds: float) -> None:
        """Allow the run `timeout_seconds`."""
        if timeout_seconds <= 0:
            raise AgentDefinitionError("TimeoutTermination needs timeout_seconds > 0")
        self.timeout_seconds = timeout_seconds

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Start the clock on the first check; stop once the budget is spent."""
        if delta.now is None:
            return state
        started = state.started_at or delta.now
        over = delta.now - started >= timedelta(seconds=self.timeout_seconds)
        stopped = f"Timeout of {self.timeout_seconds} seconds reached" if over else None
        return ConditionState(started_at=started, stopped=stopped)

    def __repr__(self) -> str:
        return f"TimeoutTermination({self.timeout_seconds})"


@dataclass(frozen=True)
class ModelPrice:
    """What a model charges, per million tokens.

    Attributes:
        prompt: Price of a million prompt (input) tokens.
        completion: Price of a million completion (output) tokens.
    """

    prompt: float
    completion: float

    def of(self, usage: Usage) -> float:
        """The price of `usage`."""
        return (usage.prompt_tokens * self.prompt + usage.completion_tokens * self.completion) / 1_000_000


class PriceTable:
    """Prices per model name.

    A model reported as `gpt-4o-2024-08-06` is priced as the longest table name it starts with (`gpt-4o`). A
    model the table does not know (or a call that reported none) is priced at `default`, or, without one, at the
    table's most expensive price, so an unknown model can never make a budget look unspent.
    """

    def __init__(self, prices: Mapping[str, ModelPrice], *, default: ModelPrice | None = None) -> None:
        """Price models by name."""
        if not prices and default is None:
            raise AgentDefinitionError("a PriceTable needs at least one price")
        self.prices = dict(prices)
        self.default = default or max(self.prices.values(), key=lambda p: p.prompt + p.completion)

    def price(self, model: str | None) -> ModelPrice:
        """The price that applies to `model`."""
        if model is not None:
            if model in self.prices:
                return self.prices[model]
            matches = [name for name in self.prices if model.startswith(name)]
            if matches:
                return self.prices[max(matches, key=len)]
        return self.default


class CostBudgetTermination(TerminationCondition):
    """Stops once the run's model calls have cost `max_cost` or more, priced by `prices`."""

    def __init__(self, max_cost: float, prices: PriceTable) -> None:
        """Allow the run `max_cost` (in the table's currency)."""
        if max_cost <= 0:
            raise AgentDefinitionError("CostBudgetTermination needs max_cost > 0")
        self.max_cost = max_cost
        self.prices = prices

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Price every call of the delta; stop when the budget is spent."""
        cost = state.cost + sum(self.prices.price(model).of(usage) for model, usage in delta.spending())
        stopped = f"Cost budget {self.max_cost:g} reached, cost so far: {cost:.6g}" if cost >= self.max_cost else None
        return ConditionState(cost=cost, stopped=stopped)

    def __repr__(self) -> str:
        return f"CostBudgetTermination({self.max_cost})"


class ToolCallBudgetTermination(TerminationCondition):
    """Stops once participants have executed `max_calls` tool calls in the run (handoffs included)."""

    def __init__(self, max_calls: int) -> None:
        """Allow the run `max_calls` tool calls."""
        if max_calls < 1:
            raise AgentDefinitionError("ToolCallBudgetTermination needs max_calls >= 1")
        self.max_calls = max_calls

    async def evaluate(self, delta: RunDelta, state: ConditionState) -> ConditionState:
        """Count the new entries' tool calls."""
        count = state.count + sum(len(entry.tool_calls) for entry in delta.entries)
        stopped = f"Tool call budget {self.max_calls} reached, tool calls: {count}" if count >= self.max_calls else None
        return ConditionState(count=count, stopped=stopped)

    def __repr__(self) -> str:
        return f"ToolCallBudgetTermination({self.max_calls})"
