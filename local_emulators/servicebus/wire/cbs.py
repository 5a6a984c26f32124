"""The `$cbs` node: put-token checks a SAS token and authorises the connection for its audience."""

from __future__ import annotations

from typing import Any

from local_emulators.servicebus.amqp.types import Int
from local_emulators.servicebus.sas import SasTokenError, verify_sas_token
from local_emulators.servicebus.wire.context import entity_path
from local_emulators.servicebus.wire.ports import ConnectionPort

ACCEPTED = 202
UNAUTHORIZED = 401
BAD_REQUEST = 400


def put_token(conn: ConnectionPort, application: dict[Any, Any], body: Any) -> tuple[dict[Any, Any], Any]:
    """Handle a CBS request.

    Returns:
        The response's application properties (``status-code``, ``status-description``) and body.
    """
    operation = application.get("operation")
    audience = application.get("name")
    if operation != "put-token" or not isinstance(audience, str) or not isinstance(body, str):
        return _status(BAD_REQUEST, "expected put-token with a name and a string token"), None
    try:
        verify_sas_token(body, audience, conn.ctx.keys, conn.ctx.clock())
    except SasTokenError as exc:
        # The reason is safe to return; the token itself is never logged.
        conn.ctx.log.info("connection %d: token refused for %s: %s", conn.id, audience, type(exc).__name__)
        return _status(UNAUTHORIZED, str(exc)), None
    conn.authorize(entity_path(audience))
    return _status(ACCEPTED, "Accepted"), None


def _status(code: int, description: str) -> dict[Any, Any]:
    return {"status-code": Int(code), "status-description": description}
