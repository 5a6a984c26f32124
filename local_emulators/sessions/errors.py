"""The sessions emulator's errors: one root; each carries the HTTP status and error code the wire layer answers."""

from __future__ import annotations

from typing import ClassVar


class SessionsEmulatorError(Exception):
    """Root of the sessions emulator's errors."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "InternalError"


class BadRequestError(SessionsEmulatorError):
    """The request is malformed (bad identifier, body, file name, timeout …); nothing changed."""

    status = 400
    code = "BadRequest"


class UnauthorizedError(SessionsEmulatorError):
    """No bearer token, or one the emulator does not accept."""

    status = 401
    code = "Unauthorized"


class NotFoundError(SessionsEmulatorError):
    """No such file or execution in this session."""

    status = 404
    code = "NotFound"


class PayloadTooLargeError(SessionsEmulatorError):
    """Code or an uploaded file over the limit; nothing changed."""

    status = 413
    code = "PayloadTooLarge"
