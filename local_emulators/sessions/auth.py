"""Which bearer tokens the emulator accepts.

Two kinds, so both local configurations work without Azure:

- the emulator's static token (`--token`, default `DEFAULT_TOKEN`): what `ACA_SESSIONS_TOKEN` holds in
  local.settings.json;
- a JWT whose `aud` is `https://dynamicsessions.io` and whose `exp` is in the future — the shape of an Entra token
  for the data plane. Its signature is NOT verified (the emulator has no key to verify it with): this proves a
  client asks for the right audience and refreshes before expiry, not who it is.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time

from local_emulators.sessions.errors import UnauthorizedError

AUDIENCE = "https://dynamicsessions.io"
DEFAULT_TOKEN = "local-sessions-emulator-token"


def _jwt_claims(token: str) -> dict[str, object] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def check_authorization(header: str | None, static_token: str, now: float | None = None) -> None:
    """Accept the request's `Authorization` header or raise `UnauthorizedError` saying why."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("an 'Authorization: Bearer <token>' header is required")
    token = token.strip()
    if hmac.compare_digest(token.encode(), static_token.encode()):
        return
    claims = _jwt_claims(token)
    if claims is None:
        raise UnauthorizedError("the bearer token is neither the emulator's token nor a JWT")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if AUDIENCE not in audiences and f"{AUDIENCE}/" not in audiences:
        raise UnauthorizedError(f"the token's audience must be {AUDIENCE}")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= (time.time() if now is None else now):
        raise UnauthorizedError("the token has expired")
