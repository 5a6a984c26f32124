"""The research team's message catalogue: the structured outputs its agents produce, and the wire messages.

The agents talk through Switchboard's team protocol (`TaskSubmitted` → `TurnRequested` → `TurnCompleted` →
`RunCompleted`); what they *say* is typed by the models below, validated when the model answers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from switchboard.messages import Message
from switchboard.teams.messages import TEAM_MESSAGES

APPROVED = "Verdict: APPROVE"
"""What the reviewer's rendered verdict says when the report is done (the team stops on it)."""


class Plan(BaseModel):
    """The planner's output: a few research steps."""

    model_config = ConfigDict(extra="forbid")
    steps: list[Annotated[str, Field(max_length=160)]] = Field(min_length=1, max_length=4)

    def render(self) -> str:
        """The plan as a numbered list."""
        return "\n".join(f"{i}. {step}" for i, step in enumerate(self.steps, start=1))


class Note(BaseModel):
    """One note the researcher's search tool returns."""

    title: str
    text: str


class Review(BaseModel):
    """The reviewer's output: a verdict and what to change."""

    model_config = ConfigDict(extra="forbid")
    verdict: Literal["APPROVE", "REVISE"]
    comments: str = Field(max_length=240)

    def render(self) -> str:
        """`Verdict: APPROVE — ...` or `Verdict: REVISE — ...`."""
        return f"Verdict: {self.verdict} — {self.comments}"


CATALOGUE: tuple[type[Message], ...] = TEAM_MESSAGES
"""Every message type this deployment's agents exchange (the Function App registers these)."""
