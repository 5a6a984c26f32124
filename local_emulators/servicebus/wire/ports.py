"""What a link sees of its session, and a session (or a CBS / management request) of its connection.

The wire objects own each other downward (a connection its sessions, a session its links); the upward references
are typed against these two small protocols, so the modules import each other one way only.
"""

from __future__ import annotations

from typing import Any, Protocol

from local_emulators.servicebus.wire.context import WireContext


class ConnectionPort(Protocol):
    """One client connection: its context, its outgoing frames, its CBS authorisations and its links."""

    id: int
    ctx: WireContext
    remote_max_frame_size: int

    def send(self, channel: int, code: int, fields: list[Any], payload: bytes = b"") -> None:
        """Send one performative on `channel`."""
        ...

    def send_raw(self, frame: bytes) -> None:
        """Send an encoded frame."""
        ...

    def fail(self, exc: BaseException) -> None:
        """Close the connection with the error's condition."""
        ...

    def authorize(self, path: str) -> None:
        """Record a CBS token accepted for `path`."""
        ...

    def is_authorized(self, path: str) -> bool:
        """Whether a CBS token covers `path`."""
        ...

    def find_link(self, name: object) -> object | None:
        """The link of that name on any session of the connection."""
        ...


class SessionPort(Protocol):
    """One AMQP session as its links use it: its channel, windows, delivery ids and frames.

    `links` and `unsettled` hold link objects of several classes, so their values are typed `Any` here; each link
    module knows its own class.
    """

    conn: ConnectionPort
    channel: int
    next_delivery_id: int
    remote_incoming_window: int
    links: dict[int, Any]
    unsettled: dict[int, tuple[Any, Any]]

    def send(self, code: int, fields: list[Any], payload: bytes = b"") -> None:
        """Send a frame on this session's channel."""
        ...

    def flow_fields(self, handle: Any, delivery_count: Any, credit: Any, drain: bool = False) -> list[Any]:
        """Build a flow frame carrying this session's windows."""
        ...

    def transfer(self, handle: int, delivery_id: int, tag: bytes, settled: bool, payload: bytes) -> None:
        """Send a delivery, split into frames that fit the client's max frame size."""
        ...
