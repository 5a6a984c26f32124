"""The Service Bus emulator's self-signed certificate for localhost and 127.0.0.1, created once and kept.

The Python SDK's administration client always speaks HTTPS, and uAMQP speaks AMQP over TLS; clients trust
``servicebus-emulator.crt`` (e.g. through ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` or ``connection_verify=<path>``).
"""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path

from local_emulators import self_signed

NAME = "servicebus-emulator"
CERT_FILE = f"{NAME}.crt"
KEY_FILE = f"{NAME}.key"


def certificate_dir(data_dir: Path | None) -> Path:
    """Where the certificate lives: the data directory, or a fixed place under the temp directory."""
    return data_dir if data_dir is not None else Path(tempfile.gettempdir()) / "servicebus-emulator-tls"


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """Return (certificate, private key) paths in ``directory``, creating them on first use."""
    return self_signed.ensure_certificate(directory, NAME)


def server_context(directory: Path) -> ssl.SSLContext:
    """A server-side TLS context with the certificate in ``directory``."""
    return self_signed.server_context(directory, NAME)
