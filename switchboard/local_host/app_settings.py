"""App settings as `func start` sees them: the environment first, then `local.settings.json` `Values`."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from switchboard.local_host.errors import AppLoadError, SettingMissingError

_EXPRESSION = re.compile(r"%([^%]+)%")


class AppSettings:
    """The merged settings of one app, and `%Setting%` expressions resolved against them."""

    def __init__(self, values: Mapping[str, str]) -> None:
        """Wrap already-merged settings (use `load` to read them from the environment and the file)."""
        self._values = dict(values)

    @classmethod
    def load(cls, script_root: Path, environ: Mapping[str, str] | None = None) -> AppSettings:
        """Merge ``environ`` (default `os.environ`) over ``script_root/local.settings.json`` `Values`.

        Args:
            script_root: The app's directory.
            environ: The process environment.

        Returns:
            The settings; the environment wins, as with `func start`.

        Raises:
            AppLoadError: local.settings.json exists but is not valid JSON or `Values` is not an object.
        """
        env = dict(os.environ if environ is None else environ)
        path = script_root / "local.settings.json"
        file_values: dict[str, str] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as error:
                raise AppLoadError(f"{path}: {error}") from error
            values = raw.get("Values") or {}
            if not isinstance(values, dict):
                raise AppLoadError(f"{path}: 'Values' must be an object")
            file_values = {str(k): "" if v is None else str(v) for k, v in values.items()}
        return cls({**file_values, **env})

    def get(self, name: str) -> str | None:
        """The value of setting ``name``, or None."""
        return self._values.get(name)

    def require(self, name: str, purpose: str) -> str:
        """The value of setting ``name``.

        Raises:
            SettingMissingError: No source defines it (``purpose`` says who needs it).
        """
        value = self._values.get(name)
        if value is None or value == "":
            raise SettingMissingError(f"setting {name!r} is not defined ({purpose})")
        return value

    def resolve(self, text: str, purpose: str) -> str:
        """Replace every ``%Setting%`` in ``text`` by the setting's value, as the host does for binding properties.

        Raises:
            SettingMissingError: An expression names an undefined setting.
        """
        return _EXPRESSION.sub(lambda match: self.require(match.group(1), purpose), text)

    def export(self, environ: MutableMapping[str, str] | None = None) -> None:
        """Put every setting into the environment, as the host passes `Values` to the worker (environment wins)."""
        target = os.environ if environ is None else environ
        for name, value in self._values.items():
            target.setdefault(name, value)
