"""Switchboard Studio: a web UI over the Function App's HTTP API (docs/studio.md)."""

from switchboard.studio.api_client import ApiAuth, FunctionAppApi, StudioError
from switchboard.studio.server import StudioConfig, studio_app

__all__ = ["ApiAuth", "FunctionAppApi", "StudioConfig", "StudioError", "studio_app"]
