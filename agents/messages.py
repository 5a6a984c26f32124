"""The research team's message catalogue: the structured outputs its agents produce, and the wire messages.

The agents talk through Switchboard's team protocol (`TaskSubmitted` → `TurnRequested` → `TurnCompleted` →
`RunCompleted`); what they *say* is typed by the models below, validated when the model answers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from switchboard.messages import Message
from switchboard.protocol.messages import TEAM_MESSAGES

APPROVED = "Verdict: APPROVE"
"""What the reviewer's rendered verdict says when the report is done (the team stops on it)."""


def _clip(limit: int) -> BeforeValidator:
    # The schema's length limits steer the model (llama.cpp turns them into a grammar); clipping instead of
    # rejecting keeps a small model's slightly-too-long answer usable.
    return BeforeValidator(lambda value: " ".join(str(value).split())[:limit] if isinstance(value, str) else value)


class Plan(BaseModel):
    """The planner's output: a few research steps."""

    model_config = ConfigDict(extra="forbid")
    steps: list[Annotated[str, _clip(160), Field(json_schema_extra={"maxLength": 160})]] = Field(
        json_schema_extra={"minItems": 1, "maxItems": 4}
    )

    @field_validator("steps")
    @classmethod
    def _some_steps(cls, steps: list[str]) -> list[str]:
        kept = [step for step in steps if step.strip()][:4]
        if not kept:
            raise ValueError("a plan needs at least one step")
        return kept

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
    comments: Annotated[str, _clip(240), Field(json_schema_extra={"maxLength": 240})]

    def render(self) -> str:
        """`Verdict: APPROVE — ...` or `Verdict: REVISE — ...`."""
        return f"Verdict: {self.verdict} — {self.comments}"


CATALOGUE: tuple[type[Message], ...] = TEAM_MESSAGES
"""Every message type this deployment's agents exchange (the Function App registers these)."""
