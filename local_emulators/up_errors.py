"""Errors of `python -m local_emulators up`, under one root."""

from __future__ import annotations


class LaunchError(Exception):
    """`up` could not bring the emulators up; the message says which part and why (with a log tail if any)."""


class EntitiesFileError(LaunchError):
    """The entity list (`infra/entities.json`) is missing or not of the shape `switchboard infra entities` writes."""


class ProvisionError(LaunchError):
    """An entity could not be created in a running emulator."""
