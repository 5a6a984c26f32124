"""Shared Access Signature tokens as Service Bus issues and checks them.

A token reads `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry
epoch seconds>&skn=<key name>`; the HMAC, keyed with the shared access key, covers the url-encoded sr, a newline,
and se.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode

from local_emulators.servicebus.errors import ServiceBusEmulatorError

_PREFIX = "sharedaccesssignature "
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class SasTokenError(ServiceBusEmulatorError):
    """A SAS token is refused."""


# The names below are a contract with the wire layer, hence no "Error" suffix.
class MalformedToken(SasTokenError):  # noqa: N818
    """The token is not a SharedAccessSignature with sr, sig, se and skn."""


class UnknownKeyName(SasTokenError):  # noqa: N818
    """The token names a key (skn) the namespace does not have."""


class BadSignature(SasTokenError):  # noqa: N818
    """The signature was not made with the named key over this resource and expiry."""


class TokenExpired(SasTokenError):  # noqa: N818
    """The token's expiry (se) has passed."""


class AudienceMismatch(SasTokenError):  # noqa: N818
    """The token's resource (sr) does not cover the entity it is presented for."""


@dataclass(frozen=True)
class SasToken:
    """The parts of a SAS token.

    Attributes:
        resource: The resource URI, decoded.
        encoded_resource: The resource exactly as it appears in the token.
        signature: The HMAC-SHA256 digest.
        expiry: Expiry time, seconds since the epoch.
        key_name: The name of the signing key.
    """

    resource: str
    encoded_resource: str
    signature: bytes
    expiry: int
    key_name: str


def parse_sas_token(token: str) -> SasToken:
    """Split a SAS token into its parts.

    Args:
        token: The whole `SharedAccessSignature ...` string.

    Raises:
        MalformedToken: If a part is missing, repeated, or unreadable.
    """
    if not token.lower().startswith(_PREFIX):
        raise MalformedToken("a SAS token starts with 'SharedAccessSignature '")
    fields: dict[str, str] = {}
    for pair in token[len(_PREFIX) :].strip().split("&"):
        name, equals, value = pair.partition("=")
        name = name.strip().lower()
        if not equals or name in fields:
            raise MalformedToken(f"SAS token field {name!r} is missing its value or repeated")
        fields[name] = value.strip()
    missing = [name for name in ("sr", "sig", "se", "skn") if not fields.get(name)]
    if missing:
        raise MalformedToken(f"SAS token lacks {', '.join(missing)}")
    # Base64 has no spaces, so a space can only be a '+' that was not percent-encoded.
    signature_text = unquote_plus(fields["sig"]).replace(" ", "+")
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedToken("SAS token signature is not base64") from error
    expiry_text = unquote(fields["se"])
    if not expiry_text.isdigit():
        raise MalformedToken("SAS token expiry is not a whole number of seconds")
    return SasToken(
        resource=unquote_plus(fields["sr"]),
        encoded_resource=fields["sr"],
        signature=signature,
        expiry=int(expiry_text),
        key_name=unquote_plus(fields["skn"]),
    )


def verify_sas_token(token: str, audience: str, keys: Mapping[str, str], now: float) -> None:
    """Check a SAS token presented for an entity, as the CBS put-token handler must.

    Args:
        token: The token.
        audience: The URI the token is presented for (the put-token `name`).
        keys: Key name → shared access key of the namespace.
        now: Current time, seconds since the epoch.

    Raises:
        MalformedToken: The token cannot be read.
        UnknownKeyName: Its key name is not one of `keys`.
        BadSignature: The signature does not match that key.
        TokenExpired: Its expiry is not after `now`.
        AudienceMismatch: Its resource does not cover `audience`.
    """
    parsed = parse_sas_token(token)
    key = keys.get(parsed.key_name)
    if key is None:
        raise UnknownKeyName(f"no shared access key named {parsed.key_name!r}")
    expected = (_sign(key, signed, parsed.expiry) for signed in _signed_resource_forms(parsed))
    if not any(hmac.compare_digest(digest, parsed.signature) for digest in expected):
        raise BadSignature(f"signature does not match key {parsed.key_name!r}")
    if parsed.expiry <= now:
        raise TokenExpired(f"token expired at {parsed.expiry}")
    if not _covers(parsed.resource, audience):
        raise AudienceMismatch(f"token for {parsed.resource!r} does not cover {audience!r}")


def generate_sas_token(resource: str, key_name: str, key: str, expiry: float) -> str:
    """Make a SAS token the way the Azure SDKs do.

    Args:
        resource: The resource URI, e.g. `sb://127.0.0.1:5672/queue`.
        key_name: The shared access key name.
        key: The shared access key.
        expiry: Expiry time, seconds since the epoch.
    """
    whole_seconds = int(expiry)
    signature = base64.b64encode(_sign(key, quote_plus(resource), whole_seconds)).decode("ascii")
    fields = {"sr": resource, "sig": signature, "se": str(whole_seconds), "skn": key_name}
    return "SharedAccessSignature " + urlencode(fields)


def _sign(key: str, encoded_resource: str, expiry: int) -> bytes:
    message = f"{encoded_resource}\n{expiry}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).digest()


def _signed_resource_forms(parsed: SasToken) -> list[str]:
    # Clients encode the resource differently (Python quote_plus, .NET upper- or lower-case
    # escapes), and sign their own encoding, which is normally the one in the token.
    forms = [parsed.encoded_resource, quote_plus(parsed.resource), quote(parsed.resource, safe="")]
    forms += [_PERCENT_ESCAPE.sub(lambda match: match.group().lower(), form) for form in forms]
    return list(dict.fromkeys(forms))


def _covers(resource: str, audience: str) -> bool:
    granted, wanted = _comparable(resource), _comparable(audience)
    return wanted == granted or wanted.startswith(granted + "/")


def _comparable(uri: str) -> str:
    return _SCHEME.sub("", uri.strip()).rstrip("/").lower()
