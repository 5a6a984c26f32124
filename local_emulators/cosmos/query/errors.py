"""Errors of the Cosmos SQL query package; callers decide by type, never by message text."""

from __future__ import annotations


class QueryError(Exception):
    """Root of every error the query package raises; the server answers it with HTTP 400.

    Attributes:
        message: Human-readable text naming the offending part of the query.
        position: Zero-based character offset in the query text, when known.
    """

    def __init__(self, message: str, position: int | None = None, text: str | None = None) -> None:
        self.position = position
        if position is not None and text is not None:
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
            message = f"{message} (at position {position}, line {line}, column {column})"
        elif position is not None:
            message = f"{message} (at position {position})"
        self.message = message
        super().__init__(message)


class QuerySyntaxError(QueryError):
    """The text is not a well-formed query: bad token, unexpected token, unterminated string."""


class UnsupportedQueryError(QueryError):
    """The query is valid Cosmos SQL but uses a feature this emulator does not implement."""


class QueryCompileError(QueryError):
    """The query parses but is invalid: unknown identifier, unknown function, misplaced aggregate."""


class QueryRuntimeError(QueryError):
    """Running the query failed: undeclared parameter, TOP/OFFSET/LIMIT that is not a whole number."""
