"""What a run id may look like, checked wherever one arrives from outside (a session id, an envelope, a task).

A run id names a Cosmos partition and item (`id` = run id: at most 255 characters, no slash, backslash, `?` or
`#`) and a Service Bus session (at most 128 characters), and it is printed in logs and errors. The rule is the
intersection, kept conservative: a letter or digit, then letters, digits and `. _ : -`, 128 characters at most.
A UUID (what `POST /api/runs` mints) fits.
"""

from __future__ import annotations

import re

MAX_RUN_ID_LENGTH = 128
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def is_valid_run_id(value: object) -> bool:
    """Whether `value` is a run id this system could have made (a str that fits the rule of the module)."""
    return isinstance(value, str) and _RUN_ID.match(value) is not None


def shown(value: object, limit: int = 40) -> str:
    """A short printable prefix of an untrusted value, for an error message (never the whole of it)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
