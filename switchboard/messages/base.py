"""`Message`: the base of every typed message agents exchange."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    """An immutable, versioned, typed message.

    Subclasses are Pydantic models. Each has a stable wire name, `message_type` (defaults to the class name; set it
    explicitly so renaming the class does not break messages in flight), and a schema version, `message_version`
    (starts at 1; bump it on a breaking change and register an upcaster from the old version).

    Example:
        >>> class TaskSubmitted(Message):
        ...     message_type = "task_submitted"
        ...     task: str
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str] = "Message"
    message_version: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "message_type" not in cls.__dict__:
            cls.message_type = cls.__name__
        if not isinstance(cls.message_version, int) or cls.message_version < 1:
            raise TypeError(f"{cls.__name__}.message_version must be an int >= 1, got {cls.message_version!r}")
        if not cls.message_type or not isinstance(cls.message_type, str):
            raise TypeError(f"{cls.__name__}.message_type must be a non-empty string")

    @classmethod
    def upcast(cls, from_version: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The class's own upcaster: turn a `from_version` payload into a `from_version + 1` one.

        Used when no upcaster is registered for the step; the default (None) knows none. A class whose new version
        only adds fields with defaults returns the payload unchanged.
        """
        return None
