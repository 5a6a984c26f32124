"""Errors of the Cosmos DB emulator: one root, one subclass per wire status.

The wire layer turns any `CosmosEmulatorError` into the JSON error body and headers the SDK expects
(`{"code": ..., "message": ...}` plus `x-ms-substatus`), deciding by the exception's class alone.
"""

from __future__ import annotations

from typing import ClassVar


class CosmosEmulatorError(Exception):
    """Root of every error the emulator reports to a client."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "InternalServerError"
    substatus: ClassVar[int] = 0

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extra_headers(self) -> dict[str, str]:
        """Headers this error adds to the response besides the status and substatus."""
        return {}

    def extra_body(self) -> dict[str, str]:
        """Members this error adds to the JSON error body besides `code` and `message`."""
        return {}


class BadRequestError(CosmosEmulatorError):
    """The request is malformed or asks for something the emulator cannot do (400)."""

    status = 400
    code = "BadRequest"


class PartitionKeyMismatchError(BadRequestError):
    """The partition key in the document differs from the one in the header (400/1001)."""

    substatus = 1001


class StaleContainerRidError(BadRequestError):
    """The client's cached container rid names a container that was deleted or recreated (400/1024)."""

    substatus = 1024


class CrossPartitionQueryNotServableError(BadRequestError):
    """A cross-partition query needs the SDK's own pipeline; the body carries the query plan (400/1004)."""

    substatus = 1004

    def __init__(self, message: str, plan_json: str) -> None:
        super().__init__(message)
        self.plan_json = plan_json

    def extra_body(self) -> dict[str, str]:
        """The plan, as JSON text in `additionalErrorInfo`, as the gateway sends it."""
        return {"additionalErrorInfo": self.plan_json}


class PartitionKeyRangeGoneError(CosmosEmulatorError):
    """The request names a partition key range that no longer exists; the SDK refreshes its map (410/1002)."""

    status = 410
    code = "Gone"
    substatus = 1002


class UnauthorizedError(CosmosEmulatorError):
    """The master-key signature is missing, wrong, or its date is stale (401)."""

    status = 401
    code = "Unauthorized"


class NotFoundError(CosmosEmulatorError):
    """The addressed resource does not exist (404)."""

    status = 404
    code = "NotFound"


class ConflictError(CosmosEmulatorError):
    """A resource with the same id, or the same unique key values, already exists (409)."""

    status = 409
    code = "Conflict"


class PreconditionFailedError(CosmosEmulatorError):
    """An If-Match etag or a patch condition did not hold (412)."""

    status = 412
    code = "PreconditionFailed"


class EntityTooLargeError(CosmosEmulatorError):
    """The document exceeds the 2 MB limit (413)."""

    status = 413
    code = "RequestEntityTooLarge"


class MethodNotAllowedError(CosmosEmulatorError):
    """No operation exists for this verb on this resource (405)."""

    status = 405
    code = "MethodNotAllowed"


class InjectedFaultError(CosmosEmulatorError):
    """A 429 or 503 produced on purpose by the fault-injection switch."""

    def __init__(self, message: str, retry_after_ms: int = 10) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms

    def extra_headers(self) -> dict[str, str]:
        """Tell the SDK when to retry: `x-ms-retry-after-ms`, as Cosmos does (10 ms unless configured)."""
        return {"x-ms-retry-after-ms": str(self.retry_after_ms)}


class TooManyRequestsError(InjectedFaultError):
    """Request rate too large (429/3200)."""

    status = 429
    code = "TooManyRequests"
    substatus = 3200


class ServiceUnavailableError(InjectedFaultError):
    """The service is (pretending to be) unavailable (503)."""

    status = 503
    code = "ServiceUnavailable"
