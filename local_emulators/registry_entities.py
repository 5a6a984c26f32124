"""The entity list an app's registry needs, asked of the app itself: `python -m switchboard infra entities`.

`up` runs in a project folder that holds `function_app.py`; the registry there may have teams that the committed
`infra/entities.json` lacks (a team added, the file not rewritten). The emulators never import the product, so the
list is produced by running the product's command as a child process, in that folder, and read as JSON.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WRITE_COMMAND = "switchboard infra entities --write"
"""The product's command that rewrites the committed list (named in notes to the user)."""


def registry_entities(root: Path, out: Path) -> tuple[Path | None, str | None]:
    """Write the registry's entity list of the app in `root` to `out`.

    Returns:
        `out` when the app produced its list (else None), and a note for the user when there is something to say
        (the committed list is stale or missing, or the app could not produce one).
    """
    if not (root / "function_app.py").is_file():
        return None, None
    try:
        done = subprocess.run(
            [sys.executable, "-m", "switchboard", "infra", "entities"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"could not ask the app for its entity list ({error}); using infra/entities.json"
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-2:])
        return None, f"the app's registry gave no entity list ({tail}); using infra/entities.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(done.stdout, encoding="utf-8")
    committed = root / "infra" / "entities.json"
    if not committed.is_file():
        return out, f"no infra/entities.json here: creating the registry's entities; `{WRITE_COMMAND}` writes the file"
    if committed.read_text(encoding="utf-8") != done.stdout:
        return out, (
            f"infra/entities.json is stale (the registry needs other entities): creating the registry's; "
            f"`{WRITE_COMMAND}` rewrites the file"
        )
    return out, None
