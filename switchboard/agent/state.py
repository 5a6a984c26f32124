"""`AgentState`: an agent's versioned, persisted state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from switchboard.errors import StateVersionError


class AgentState(BaseModel):
    """The state of one agent in one run, loaded before and saved after each handler call.

    Subclass it with the fields an agent keeps. `state_version` is the schema version written with the state; when
    you change the fields incompatibly, bump it and override `upcast` to read older stored data.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    state_version: ClassVar[int] = 1

    @classmethod
    def upcast(cls, data: dict[str, Any], from_version: int) -> dict[str, Any]:
        """Turn stored data of an older schema version into the current one.

        The default knows no older versions. Override it to migrate.

        Args:
            data: The stored fields.
            from_version: The schema version they were written with.

        Returns:
            Fields valid for the current version.

        Raises:
            StateVersionError: The version cannot be read.
        """
        raise StateVersionError(
            f"{cls.__name__} cannot read stored state of version {from_version} (current is {cls.state_version})"
        )

    @classmethod
    def restore(cls, data: Mapping[str, Any], version: int) -> AgentState:
        """Build the state from stored data, upcasting it first when it is older.

        Raises:
            StateVersionError: The stored version is newer than the code or cannot be upcast.
        """
        fields = dict(data)
        if version > cls.state_version:
            raise StateVersionError(
                f"stored {cls.__name__} is version {version}, newer than this code's {cls.state_version}"
            )
        if version < cls.state_version:
            fields = cls.upcast(fields, version)
        return cls.model_validate(fields)


class NoState(AgentState):
    """The state of an agent that keeps none."""
