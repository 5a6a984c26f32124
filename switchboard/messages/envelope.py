"""`Envelope`: a message on the wire, with the identity and tracing fields every hop needs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)

from switchboard.errors import InvalidEnvelopeError
from switchboard.messages.base import Message
from switchboard.messages.errors import summarize_validation_error
from switchboard.messages.frozen import freeze, thaw

FrozenPayload = Annotated[Mapping[str, Any], AfterValidator(freeze), PlainSerializer(thaw)]


class Envelope(BaseModel):
    """An immutable wrapper around one message's payload.

    Attributes:
        message_id: Unique id; Service Bus duplicate detection and the inbox key use it.
        type: The message's `message_type`.
        version: The schema version the payload was written with.
        run_id: The run this message belongs to (also the Service Bus session id and the Cosmos partition).
        correlation_id: Groups the messages of one request; defaults to the run id.
        causation_id: The id of the message whose handler emitted this one.
        source: The agent (or client) that emitted it.
        target: The agent it is sent to, or None for a publish to every subscriber of its type.
        created_at: When it was emitted (UTC).
        traceparent: W3C trace context, so one run is one trace.
        payload: The message's fields as JSON values.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    version: int = Field(ge=1)
    run_id: str = Field(min_length=1)
    correlation_id: str | None = None
    causation_id: str | None = None
    source: str | None = None
    target: str | None = None
    created_at: AwareDatetime
    traceparent: str | None = None
    payload: FrozenPayload

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        run_id: str,
        message_id: str | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        source: str | None = None,
        target: str | None = None,
        created_at: datetime | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        """Put a message in a new envelope.

        Args:
            message: The message to carry.
            run_id: The run it belongs to.
            message_id: A deterministic id, when the caller needs one; a random UUID otherwise.
            correlation_id: Defaults to `run_id`.
            causation_id: The id of the message that caused this one.
            source: Who emits it.
            target: The one agent to deliver to, or None to publish.
            created_at: Defaults to now (UTC).
            traceparent: W3C trace context to carry.

        Returns:
            The envelope.
        """
        return cls(
            message_id=message_id or str(uuid.uuid4()),
            type=message.message_type,
            version=message.message_version,
            run_id=run_id,
            correlation_id=correlation_id or run_id,
            causation_id=causation_id,
            source=source,
            target=target,
            created_at=created_at or datetime.now(UTC),
            traceparent=traceparent,
            payload=message.model_dump(mode="json"),
        )

    def to_json(self) -> bytes:
        """Encode as UTF-8 JSON bytes."""
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Envelope:
        """Decode JSON bytes made by `to_json`.

        Raises:
            InvalidEnvelopeError: The data is not JSON or not a valid envelope; the reason says which field.
        """
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise InvalidEnvelopeError(f"invalid envelope: {summarize_validation_error(exc)}") from exc

    def retarget(self, target: str) -> Envelope:
        """Return a copy addressed to one agent (how a publish fans out to each subscriber)."""
        return self.model_copy(update={"target": target})
