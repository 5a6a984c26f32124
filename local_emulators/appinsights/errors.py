"""Errors of the App Insights emulator, under one root."""

from __future__ import annotations


class AppInsightsEmulatorError(Exception):
    """Root of every error the App Insights emulator raises."""


class RequestRefusedError(AppInsightsEmulatorError):
    """A whole ingestion request is refused before any item is looked at.

    Attributes:
        status: The HTTP status to answer with (400, 413, 415, 429).
        message: Why, for the response body.
    """

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedBodyError(RequestRefusedError):
    """The body is not JSON, a JSON array, or newline-delimited JSON (or not valid gzip)."""

    status = 400


class BodyTooLargeError(RequestRefusedError):
    """The body, before or after decompression, is above the configured limit."""

    status = 413


class UnsupportedEncodingError(RequestRefusedError):
    """A Content-Encoding other than gzip, deflate or identity."""

    status = 415


class ThrottledError(RequestRefusedError):
    """Too many requests are being ingested at once; the client should retry after a while."""

    status = 429


class StoreError(AppInsightsEmulatorError):
    """The SQLite store cannot be opened or written."""


class RunNotFoundError(AppInsightsEmulatorError):
    """No stored telemetry belongs to the asked run."""
