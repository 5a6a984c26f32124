"""Errors of the scripted OpenAI emulator, under one root."""

from __future__ import annotations


class OpenAIEmulatorError(Exception):
    """Root of every error the scripted OpenAI emulator raises."""


class ScriptInvalidError(OpenAIEmulatorError):
    """The script file is missing or not of the documented shape."""


class ScriptExhaustedError(OpenAIEmulatorError):
    """A request arrived for an agent whose scripted replies are used up."""


class BadRequestError(OpenAIEmulatorError):
    """The request body is not a chat-completions request."""
