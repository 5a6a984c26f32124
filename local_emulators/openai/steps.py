"""Which script entry answers a chat request: by its step (run, agent, index), or by a per-agent counter.

The server's twin of `switchboard.models.script_steps` (the emulators and the product never import each
other); the step comes in the `x-switchboard-run` / `x-switchboard-agent` / `x-switchboard-step` headers.

A script lists an agent's replies in order, and a scripted error stands *before* the reply it delays: the
entries `[429, "A", "B"]` mean "the first call fails once with 429 and then answers A; the second answers B".
So an agent's list splits into *slots*, each some error entries followed by one answer, and step *i* of an
agent is answered by slot *i*: its *k*-th attempt gets the slot's *k*-th error while errors remain, and the
slot's answer from then on. That makes the answer a function of the request alone, not of arrival order, so
concurrent runs each get their own script and a step asked again (a crash replay) gets the same answer.
Calls without a step fall back to the historical behaviour: a counter per agent that walks the list.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

ANY_AGENT = "*"
"""The script key whose replies serve every agent the script does not name."""


@dataclass(frozen=True)
class Step:
    """One model call of a run: the `index`-th (0-based) call of `agent` in run `run_id`."""

    run_id: str
    agent: str
    index: int


class ScriptPlan:
    """Maps calls to entry positions of one script; thread-safe, with per-step request counts.

    `is_error[agent]` says, per entry of that agent's list, whether it is a scripted error.
    """

    def __init__(self, is_error: dict[str, Sequence[bool]]) -> None:
        """Plan over the error flags of every agent's entries."""
        self._is_error = is_error
        self._slots = {agent: _slots(flags) for agent, flags in is_error.items()}
        self._lock = threading.Lock()
        self._turns: dict[str, int] = {}
        self._attempts: Counter[tuple[str, str, int]] = Counter()

    def key_for(self, agent: str) -> str:
        """The script key that answers `agent`: its own list, else the wildcard list."""
        return agent if agent in self._is_error else ANY_AGENT

    def next_position(self, agent: str, step: Step | None) -> int | None:
        """Record one call and return the position of the entry that answers it (None: script exhausted)."""
        key = self.key_for(agent)
        with self._lock:
            if step is None:
                # Historical counter: shared by all agents served by the same list.
                turn = self._turns.get(key, 0)
                self._turns[key] = turn + 1
                return turn if turn < len(self._is_error.get(key, ())) else None
            attempt = self._attempts[(step.run_id, step.agent, step.index)]
            self._attempts[(step.run_id, step.agent, step.index)] = attempt + 1
        slots = self._slots.get(key, [])
        if step.index < 0 or step.index >= len(slots):
            return None
        start, answer = slots[step.index]
        if answer is None or attempt < answer - start:
            # Still inside the slot's errors (or the slot has no answer: past its errors it is exhausted).
            position = start + attempt
            end = answer if answer is not None else len(self._is_error[key])
            return position if position < end else None
        return answer

    def turns_taken(self, agent: str) -> int:
        """How many counter-based (step-less) calls the list serving `agent` has answered."""
        return self._turns.get(self.key_for(agent), 0)

    def requests_for(self, run_id: str, agent: str, index: int) -> int:
        """How often step (`run_id`, `agent`, `index`) was requested, errors and repeats included."""
        with self._lock:
            return self._attempts[(run_id, agent, index)]

    def step_counts(self) -> dict[tuple[str, str, int], int]:
        """Every step seen, with how often it was requested."""
        with self._lock:
            return dict(self._attempts)

    def reset(self) -> None:
        """Forget every counter and every step seen."""
        with self._lock:
            self._turns.clear()
            self._attempts.clear()


def _slots(is_error: Sequence[bool]) -> list[tuple[int, int | None]]:
    """(first position, answer position) of each slot; a trailing run of errors is a slot with no answer."""
    slots: list[tuple[int, int | None]] = []
    start = 0
    for position, error in enumerate(is_error):
        if not error:
            slots.append((start, position))
            start = position + 1
    if start < len(is_error):
        slots.append((start, None))
    return slots
