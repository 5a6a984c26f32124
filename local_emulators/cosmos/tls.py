"""The Cosmos emulator's self-signed certificate for localhost and 127.0.0.1, kept in the data directory.

The SDKs skip certificate verification for `localhost`/`127.0.0.1` endpoints, and other clients can trust
`cosmos-emulator.crt` from the data directory.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from local_emulators import self_signed

NAME = "cosmos-emulator"
CERT_FILE = f"{NAME}.crt"
KEY_FILE = f"{NAME}.key"


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """Return (certificate, private key) paths in `directory`, creating them on first use."""
    return self_signed.ensure_certificate(directory, NAME)


def server_context(directory: Path) -> ssl.SSLContext:
    """A server-side TLS context using the certificate in `directory`."""
    return self_signed.server_context(directory, NAME)
