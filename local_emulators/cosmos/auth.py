r"""Master-key authorization, verified the way Azure Cosmos DB does it.

The client signs `verb\nresource type\nresource link\nx-ms-date\n\n` (lower-cased except the link)
with HMAC-SHA256 under the account key and sends `type=master&ver=1.0&sig=<base64>` URL-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from local_emulators.cosmos.errors import UnauthorizedError

WELL_KNOWN_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
MAX_CLOCK_SKEW_SECONDS = 15 * 60


def resource_type_and_link(path: str) -> tuple[str, str]:
    """Derive the (resource type, resource link) pair a client signs for a request path.

    Args:
        path: The URL path, already percent-decoded.

    Returns:
        The resource type (e.g. `docs`) and the link (e.g. `dbs/d/colls/c`).
    """
    trimmed = path.strip("/")
    if not trimmed:
        return "", ""
    parts = trimmed.split("/")
    if len(parts) >= 2 and parts[-2] == "operations":
        # Partition-key delete is an operation on the container, and the SDK signs it as such.
        return "colls", "/".join(parts[:4])
    if len(parts) % 2 == 1:
        return parts[-1], "/".join(parts[:-1])
    return parts[-2], trimmed


def _candidate_links(link: str) -> list[str]:
    """Links a correct client might have signed; rid-based paths sign only the lower-cased last rid."""
    candidates = [link]
    lowered = link.lower()
    if lowered != link:
        candidates.append(lowered)
    last = link.rsplit("/", 1)[-1].lower()
    if last not in candidates:
        candidates.append(last)
    return candidates


class MasterKeyAuth:
    """Verifies master-key signatures against one account key.

    Args:
        key: The base64 account key.
        check_date: Whether to reject an `x-ms-date` more than 15 minutes away from now.
    """

    def __init__(self, key: str, *, check_date: bool = True) -> None:
        try:
            self._key = base64.b64decode(key, validate=True)
        except ValueError as exc:
            raise ValueError("the account key must be base64") from exc
        self._key_text = key
        self._check_date = check_date
        self._fresh_dates: dict[str, float] = {}

    def signature(self, verb: str, resource_type: str, link: str, date: str) -> str:
        """Compute the base64 signature a client should send."""
        text = f"{verb.lower()}\n{resource_type.lower()}\n{link}\n{date.lower()}\n\n"
        return base64.b64encode(hmac.new(self._key, text.encode(), hashlib.sha256).digest()).decode()

    def verify(self, verb: str, path: str, headers: dict[str, str]) -> None:
        """Check the request's authorization header.

        Args:
            verb: The HTTP method.
            path: The percent-decoded URL path.
            headers: Request headers with lower-cased names.

        Raises:
            UnauthorizedError: When the signature or the date does not hold.
        """
        raw = headers.get("authorization")
        if not raw:
            raise UnauthorizedError(
                "Required Header authorization is missing. Ensure a valid Authorization token is passed."
            )
        date = headers.get("x-ms-date") or headers.get("date") or ""
        if not date:
            raise UnauthorizedError("Required Header x-ms-date is missing.")
        self._verify_date(date)
        fields = dict(part.split("=", 1) for part in unquote(raw).split("&") if "=" in part)
        if fields.get("type") == "aad":
            self._verify_emulator_token(fields.get("sig", ""))
            return
        if fields.get("type") != "master":
            raise UnauthorizedError("Only master-key and the emulator's Entra ID tokens are supported.")
        given = fields.get("sig", "")
        if not given.isascii():
            # compare_digest refuses non-ASCII text; such a signature can never be right anyway.
            raise UnauthorizedError("The authorization signature is not valid base64.")
        resource_type, link = resource_type_and_link(path)
        for candidate in _candidate_links(link):
            if hmac.compare_digest(self.signature(verb, resource_type, candidate, date), given):
                return
        raise UnauthorizedError(
            "The input authorization token can't serve the request. The wrong key is being used or the expected"
            f" payload is not built as per the protocol. Server used the following payload to sign: "
            f"'{verb.lower()}\\n{resource_type.lower()}\\n{link}\\n{date.lower()}\\n\\n'"
        )

    def _verify_emulator_token(self, token: str) -> None:
        """Accept the Entra ID token Microsoft's emulator accepts: a JWT whose signature part is the account key.

        Its header names the key `CosmosEmulatorPrimaryMaster`; its claims must not have expired.
        """
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError("not a JWT")
            header, claims, key = (base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in parts)
            header_json, claims_json = json.loads(header), json.loads(claims)
        except (ValueError, TypeError) as exc:
            raise UnauthorizedError("The Entra ID token is malformed.") from exc
        if not isinstance(header_json, dict) or header_json.get("kid") != "CosmosEmulatorPrimaryMaster":
            raise UnauthorizedError(
                "Only the emulator's own Entra ID tokens (kid CosmosEmulatorPrimaryMaster) are accepted."
            )
        if not hmac.compare_digest(key, self._key_text.encode()):
            raise UnauthorizedError("The Entra ID token is not signed with this emulator's key.")
        expiry = claims_json.get("exp") if isinstance(claims_json, dict) else None
        if isinstance(expiry, int | float) and not isinstance(expiry, bool) and expiry < time.time():
            raise UnauthorizedError("The Entra ID token has expired.")

    def _verify_date(self, date: str) -> None:
        if not self._check_date:
            return
        now = time.time()
        seen = self._fresh_dates.get(date)
        if seen is None:
            try:
                seen = parsedate_to_datetime(date).timestamp()
            except (TypeError, ValueError) as exc:
                raise UnauthorizedError(f"The x-ms-date header '{date}' is not a valid RFC 1123 date.") from exc
            if len(self._fresh_dates) > 1024:
                self._fresh_dates.clear()
            self._fresh_dates[date] = seen
        if abs(now - seen) > MAX_CLOCK_SKEW_SECONDS:
            raise UnauthorizedError(
                f"The authorization token is not valid at the current time. Request date: '{date}'."
            )
