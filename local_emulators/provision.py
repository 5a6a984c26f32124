"""What `up` does once the emulators run: create the Cosmos database and containers, write local.settings.json.

Cosmos entities are created through the unmodified `azure-cosmos` SDK over the emulator's plain-HTTP endpoint,
exactly as a deployment script would against Azure. `local.settings.json` is the file `func start` and
`switchboard host` read their settings from; values `up` does not own (Application Insights, a model key) are
kept, and an existing host key survives so clients that hold it keep working.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from local_emulators.entities_file import EntityFile
from local_emulators.up_errors import ProvisionError

HOST_KEY_SETTING = "SWITCHBOARD_HOST_KEY"
FIXED_LOCAL_VALUES = {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true"}


def create_cosmos_entities(endpoint: str, key: str, entities: EntityFile) -> list[str]:
    """Create the database and containers of `entities` (existing ones are left as they are).

    Returns:
        `database/container` for each container.

    Raises:
        ProvisionError: The emulator refused or could not be reached.
    """
    # Imported here: only `up` with an entity list needs the SDK, not the emulators themselves.
    from azure.core.exceptions import AzureError
    from azure.cosmos import CosmosClient, PartitionKey

    try:
        with CosmosClient(endpoint, credential=key) as client:
            database = client.create_database_if_not_exists(entities.cosmos_database)
            for container in entities.cosmos_containers:
                database.create_container_if_not_exists(
                    id=container.name, partition_key=PartitionKey(path=container.partition_key)
                )
    except AzureError as error:
        raise ProvisionError(f"cannot create the Cosmos entities at {endpoint}: {type(error).__name__}") from error
    return [f"{entities.cosmos_database}/{c.name}" for c in entities.cosmos_containers]


def write_local_settings(path: Path, values: Mapping[str, str]) -> dict[str, str]:
    """Write `values` into the `Values` of the local.settings.json at `path`, creating it if needed.

    Other values already in the file are kept; `SWITCHBOARD_HOST_KEY` gets a random key unless one exists. The
    file holds keys, so it is written readable by its owner only.

    Returns:
        The file's `Values` as written.

    Raises:
        ProvisionError: The existing file is not a local.settings.json, or it cannot be written.
    """
    document: dict[str, Any] = {"IsEncrypted": False, "Values": {}}
    try:
        if path.exists():
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("Values", {}), dict):
                raise ProvisionError(f"{path} is not a local.settings.json (it needs a 'Values' object)")
        current: dict[str, str] = {**FIXED_LOCAL_VALUES, **document.get("Values", {}), **values}
        current.setdefault(HOST_KEY_SETTING, secrets.token_urlsafe(32))
        document["Values"] = current
        document.setdefault("IsEncrypted", False)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(document, indent=2) + "\n")
        os.replace(temporary, path)
    except ValueError as error:
        raise ProvisionError(f"{path} is not valid JSON: {error}") from error
    except OSError as error:
        raise ProvisionError(f"cannot write {path}: {error.strerror or error}") from error
    return current
