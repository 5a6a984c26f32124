"""`Scrubber`: removes keys, tokens and connection-string secrets from text before it is exported.

Two nets: the exact values of secret settings present in the environment (whatever their shape), and patterns of
credentials (connection-string key fields, bearer tokens, JWTs, OpenAI-style keys, long base64 keys). It runs on
every attribute value Switchboard sets, prompt text included when content capture is on, and on the tool arguments
and results an agent records in a run's transcript. It imports nothing beyond the standard library, so it sits in
the lowest layer, where both the telemetry adapter and the agents reach it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

REDACTED = "[REDACTED]"
_SECRET_NAME = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|CONNECTION|CONNECTIONSTRING|AUTHENTICATION_STRING)$", re.I)
_KEY_FIELDS = re.compile(
    r"(?i)\b(SharedAccessKey|SharedAccessSignature|AccountKey|AccessKey|Password|Pwd|ApiKey|api[-_]?key|Secret|"
    r"ClientSecret|sig)=([^;&\s\"']+)"
)
_PATTERNS = (
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
    # Cosmos/Storage account keys and similar: 64+ base64 characters ending in padding.
    re.compile(r"[A-Za-z0-9+/]{64,}={1,2}"),
)
_MIN_SECRET = 6
# Settings that name an endpoint or a non-secret id, though their names end like a secret's.
_NOT_SECRET = re.compile(r"(__fullyQualifiedNamespace|__clientId|__credential|_ENDPOINT)$", re.I)


def secrets_in(environ: Mapping[str, str]) -> list[str]:
    """The values of secret-looking settings (keys, tokens, passwords, connection strings' key parts)."""
    found: list[str] = []
    for name, value in environ.items():
        if not value or _NOT_SECRET.search(name):
            continue
        if ";" in value and "=" in value:
            found.extend(match.group(2) for match in _KEY_FIELDS.finditer(value))
        elif _SECRET_NAME.search(name):
            found.append(value)
    return [value for value in found if len(value) >= _MIN_SECRET]


class Scrubber:
    """Replaces secrets in text with `[REDACTED]`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Remember the exact secret values to remove (longest first, so a prefix cannot leave a tail behind)."""
        values = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)
        self._exact = re.compile("|".join(re.escape(v) for v in values)) if values else None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Scrubber:
        """A scrubber that knows the secret settings of `environ` (the process environment by default)."""
        return cls(secrets_in(os.environ if environ is None else environ))

    def __call__(self, text: str) -> str:
        """`text` without secrets."""
        if self._exact is not None:
            text = self._exact.sub(REDACTED, text)
        text = _KEY_FIELDS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        for pattern in _PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text
