"""Is the committed entity list (`infra/entities.json`) the one the registry needs? Say what differs, and the fix.

The Bicep template and `python -m local_emulators up` read the committed file; the Function App wires its triggers
from the registry itself. A team added to the registry without rewriting the file deploys (or emulates) without its
queues, so `switchboard infra entities --check`, `switchboard run` and `up` compare the two and name the command
that rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from switchboard.functions.entities import EntityList

COMMITTED_ENTITIES = Path("infra") / "entities.json"
"""Where a project keeps its entity list, relative to its root."""
WRITE_COMMAND = "switchboard infra entities --write"


def drift(path: Path, wanted: EntityList) -> str | None:
    """None when `path` holds exactly `wanted`; otherwise what differs and how to fix it."""
    if not path.is_file():
        return f"{path} does not exist; `{WRITE_COMMAND}` writes it from the registry"
    text = path.read_text(encoding="utf-8")
    if text == wanted.to_json():
        return None
    try:
        committed = {q.name for q in EntityList.from_json(text).service_bus.queues}
    except ValueError:
        return f"{path} is not an entity list; `{WRITE_COMMAND}` rewrites it from the registry"
    needed = {q.name for q in wanted.service_bus.queues}
    parts = []
    if needed - committed:
        parts.append(f"lacks the queues {sorted(needed - committed)}")
    if committed - needed:
        parts.append(f"lists the queues {sorted(committed - needed)} no agent uses")
    what = " and ".join(parts) or "differs in entity properties"
    return f"{path} is stale: it {what}; `{WRITE_COMMAND}` rewrites it from the registry (then commit it)"
