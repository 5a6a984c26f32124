"""`Handoff`: a participant's way to pass control to another (a `Swarm` speaker, or `user` to ask a human).

An `AssistantAgent` offers each handoff to its model as a tool without parameters (`transfer_to_<target>`); a call
to it ends the turn with a `handoff` transcript entry naming the target, as AutoGen's `HandoffMessage` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.errors import AgentDefinitionError
from switchboard.models.chat import ToolSpec


@dataclass(frozen=True)
class Handoff:
    """A handoff to `target`.

    Attributes:
        target: Who takes over (a participant's name, or anyone a termination condition stops on).
        description: What the model is told about the tool; `Handoff to <target>.` by default.
        name: The tool's name; `transfer_to_<target>` by default.
        message: The handoff entry's content (and the tool's result); AutoGen's wording by default.
    """

    target: str
    description: str = ""
    name: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        if not self.target:
            raise AgentDefinitionError("a Handoff needs a target")
        # Frozen, so the defaults that depend on the target are filled in this way.
        object.__setattr__(self, "description", self.description or f"Handoff to {self.target}.")
        object.__setattr__(self, "name", self.name or f"transfer_to_{self.target}".lower())
        if not self.name.isidentifier():
            raise AgentDefinitionError(f"handoff name {self.name!r} must be an identifier")
        object.__setattr__(
            self,
            "message",
            self.message or f"Transferred to {self.target}, adopting the role of {self.target} immediately.",
        )

    @property
    def spec(self) -> ToolSpec:
        """The tool the model sees."""
        return ToolSpec(
            name=self.name,
            description=self.description,
            parameters={"type": "object", "properties": {}, "additionalProperties": False},
        )

    @classmethod
    def of(cls, handoff: Handoff | str) -> Handoff:
        """A handoff from a target name, or the handoff itself."""
        return handoff if isinstance(handoff, Handoff) else cls(target=handoff)
