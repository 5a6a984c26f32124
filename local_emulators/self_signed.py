"""Self-signed certificates for localhost and 127.0.0.1, created once and kept in an emulator's data directory.

Every emulator that serves TLS (Cosmos DB on its one port, Service Bus on its management port and for AMQP over TLS)
uses the same recipe under its own file names, so clients can trust `<name>.crt` from the data directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path


def ensure_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """Return the paths of `<name>.crt` and `<name>.key` in `directory`, creating them on first use."""
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    # Imported here: cryptography takes ~0.1 s to import, which only a first start should pay.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
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


def server_context(directory: Path, name: str) -> ssl.SSLContext:
    """A server-side TLS context with the certificate `<name>` in `directory`."""
    cert_path, key_path = ensure_certificate(directory, name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
