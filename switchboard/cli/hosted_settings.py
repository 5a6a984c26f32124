"""Where the CLI's hosted commands find the bus and the run store: the environment, then local.settings.json.

The same precedence as `func start` and `switchboard host`: a variable set in the environment wins over the file's
`Values`. The default file is `./local.settings.json`, which `python -m local_emulators up --write-settings` writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from switchboard.hosting.settings import HostingSettings, HostingSettingsError

DEFAULT_SETTINGS_FILE = Path("local.settings.json")

SettingsFileOption = Annotated[
    Path,
    typer.Option(
        "--settings",
        help="local.settings.json to read after the environment (python -m local_emulators up --write-settings)",
    ),
]


def file_values(path: Path) -> dict[str, str]:
    """The `Values` of a local.settings.json, or nothing when the file does not exist.

    Raises:
        HostingSettingsError: The file exists but is not a local.settings.json.
    """
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise HostingSettingsError(f"cannot read {path}: {error}") from error
    values = document.get("Values") if isinstance(document, dict) else None
    if not isinstance(values, dict):
        raise HostingSettingsError(f"{path} has no 'Values' object")
    return {str(name): str(value) for name, value in values.items() if value is not None}


def load_settings(path: Path = DEFAULT_SETTINGS_FILE, environ: Mapping[str, str] | None = None) -> HostingSettings:
    """Hosting settings from the environment, completed by the file's values the environment does not set.

    Raises:
        HostingSettingsError: The file is unreadable.
    """
    env = {name.lower() for name in (os.environ if environ is None else environ)}
    # HostingSettings reads the environment itself; the file only fills what the environment leaves unset.
    from_file = {name: value for name, value in file_values(path).items() if name.lower() not in env}
    # Init values plus the environment (model_validate alone would skip the environment).
    settings: HostingSettings = cast(Any, HostingSettings)(**from_file)  # aliases are not keyword names to mypy
    return settings
