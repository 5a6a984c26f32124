"""The management port's self-signed certificate for localhost and 127.0.0.1, created once and kept.

The Python SDK's administration client always speaks HTTPS; clients trust ``servicebus-emulator.crt``
(e.g. through ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` or ``connection_verify=<path>``).
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from pathlib import Path

CERT_FILE = "servicebus-emulator.crt"
KEY_FILE = "servicebus-emulator.key"


def certificate_dir(data_dir: Path | None) -> Path:
    """Where the certificate lives: the data directory, or a fixed place under the temp directory."""
    return data_dir if data_dir is not None else Path(tempfile.gettempdir()) / "servicebus-emulator-tls"


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """Return (certificate, private key) paths in ``directory``, creating them on first use."""
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    # Imported here: cryptography takes ~0.1 s to import, which only a first start should pay.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    # The key file exists with owner-only permissions before any secret is written to it.
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(directory: Path) -> ssl.SSLContext:
    """A server-side TLS context with the certificate in ``directory``."""
    cert_path, key_path = ensure_certificate(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
