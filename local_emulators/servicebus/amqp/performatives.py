"""AMQP 1.0 performative, section and outcome descriptors, and the field positions we use.

Performatives stay plain lists (fast to build and index); these constants name their slots.
Every field list is padded to full length, because older pyamqp clients index fields directly.
A peer may leave out trailing null fields of any composite (rhea does), so decoded composites are
padded to full length too before anyone indexes them.
"""

from __future__ import annotations

from typing import Any

from local_emulators.servicebus.amqp.types import Described, Symbol, ULong

# transport performatives
OPEN, BEGIN, ATTACH, FLOW, TRANSFER, DISPOSITION, DETACH, END, CLOSE = range(0x10, 0x19)
# SASL
SASL_MECHANISMS, SASL_INIT, SASL_CHALLENGE, SASL_RESPONSE, SASL_OUTCOME = range(0x40, 0x45)
# link terminus and error
ERROR, SOURCE, TARGET = 0x1D, 0x28, 0x29
# delivery states
RECEIVED, ACCEPTED, REJECTED, RELEASED, MODIFIED = 0x23, 0x24, 0x25, 0x26, 0x27
# message sections
HEADER, DELIVERY_ANNOTATIONS, MESSAGE_ANNOTATIONS, PROPERTIES = 0x70, 0x71, 0x72, 0x73
APPLICATION_PROPERTIES, DATA, AMQP_SEQUENCE, AMQP_VALUE, FOOTER = 0x74, 0x75, 0x76, 0x77, 0x78

FIELD_COUNTS = {
    OPEN: 10,
    BEGIN: 8,
    ATTACH: 14,
    FLOW: 11,
    TRANSFER: 11,
    DISPOSITION: 6,
    DETACH: 3,
    END: 1,
    CLOSE: 1,
    SASL_MECHANISMS: 1,
    SASL_INIT: 3,
    SASL_CHALLENGE: 1,
    SASL_RESPONSE: 1,
    SASL_OUTCOME: 2,
}

# Composite types that travel inside performatives, by descriptor code.
COMPOSITE_FIELD_COUNTS = {
    ERROR: 3,
    SOURCE: 11,
    TARGET: 7,
    RECEIVED: 2,
    ACCEPTED: 0,
    REJECTED: 1,
    RELEASED: 0,
    MODIFIED: 3,
}
# The symbolic form of each descriptor (AMQP allows either; every SDK we know sends the numeric one).
_SYMBOLIC = {
    **{
        f"amqp:{name}:list": code
        for code, name in enumerate(
            ("open", "begin", "attach", "flow", "transfer", "disposition", "detach", "end", "close"), OPEN
        )
    },
    **{
        f"amqp:sasl-{name}:list": code
        for code, name in enumerate(("mechanisms", "init", "challenge", "response", "outcome"), SASL_MECHANISMS)
    },
    "amqp:error:list": ERROR,
    "amqp:source:list": SOURCE,
    "amqp:target:list": TARGET,
    "amqp:received:list": RECEIVED,
    "amqp:accepted:list": ACCEPTED,
    "amqp:rejected:list": REJECTED,
    "amqp:released:list": RELEASED,
    "amqp:modified:list": MODIFIED,
    "amqp:header:list": HEADER,
    "amqp:delivery-annotations:map": DELIVERY_ANNOTATIONS,
    "amqp:message-annotations:map": MESSAGE_ANNOTATIONS,
    "amqp:properties:list": PROPERTIES,
    "amqp:application-properties:map": APPLICATION_PROPERTIES,
    "amqp:data:binary": DATA,
    "amqp:amqp-sequence:list": AMQP_SEQUENCE,
    "amqp:amqp-value:*": AMQP_VALUE,
    "amqp:footer:map": FOOTER,
}
# Performatives whose fields may hold such composites (transfers and flows are left alone: their
# composites are never read and they are the hot path).
_HOLDS_COMPOSITES = frozenset((ATTACH, DISPOSITION, DETACH, END, CLOSE))

# attach
A_NAME, A_HANDLE, A_ROLE, A_SND_SETTLE, A_RCV_SETTLE, A_SOURCE, A_TARGET = range(7)
A_INITIAL_DELIVERY_COUNT, A_MAX_MESSAGE_SIZE, A_PROPERTIES = 9, 10, 13
# flow
F_NEXT_INCOMING_ID, F_INCOMING_WINDOW, F_NEXT_OUTGOING_ID, F_OUTGOING_WINDOW = range(4)
F_HANDLE, F_DELIVERY_COUNT, F_LINK_CREDIT, F_AVAILABLE, F_DRAIN, F_ECHO = range(4, 10)
# transfer
T_HANDLE, T_DELIVERY_ID, T_DELIVERY_TAG, T_FORMAT, T_SETTLED, T_MORE, T_RCV_SETTLE, T_STATE = range(8)
T_ABORTED = 9
# disposition
D_ROLE, D_FIRST, D_LAST, D_SETTLED, D_STATE = range(5)
# source / target terminus
S_ADDRESS, S_FILTER = 0, 7

ROLE_SENDER, ROLE_RECEIVER = False, True
SETTLE_UNSETTLED, SETTLE_SETTLED = 0, 1


def described(code: int, fields: Any) -> Described:
    """Build a described value (usually a list) with a small-ulong descriptor (what pyamqp expects)."""
    return Described(ULong(code), fields)


def error(condition: str, description: str | None = None, info: dict[Any, Any] | None = None) -> Described:
    """Build an AMQP ``error`` value."""
    return described(ERROR, [Symbol(condition), description, info])


def outcome_code(state: Any) -> int | None:
    """Return the descriptor code of a delivery state, or None when there is none."""
    if isinstance(state, Described) and isinstance(state.descriptor, int):
        return int(state.descriptor)
    return None


def pad(code: int, fields: list[Any]) -> list[Any]:
    """Pad a decoded field list to the performative's full length, and the composites in it to theirs."""
    want = FIELD_COUNTS.get(code, len(fields))
    if len(fields) < want:
        fields = fields + [None] * (want - len(fields))
    if code in _HOLDS_COMPOSITES:
        for value in fields:
            if isinstance(value, Described):
                pad_composite(value)
    return fields


def descriptor_code(descriptor: Any) -> int | None:
    """Return the numeric code of a descriptor given either way (None for one we do not know)."""
    if isinstance(descriptor, int):
        return int(descriptor)
    if isinstance(descriptor, str):
        return _SYMBOLIC.get(descriptor)
    return None


def pad_composite(value: Described) -> None:
    """Pad a known composite's field list in place (and the error inside a rejected outcome).

    A symbolic descriptor is replaced by its numeric code, so later checks need to know only one form.
    """
    code = descriptor_code(value.descriptor)
    if code is not None and not isinstance(value.descriptor, int):
        value.descriptor = ULong(code)
    want = COMPOSITE_FIELD_COUNTS.get(code) if code is not None else None
    if want is None:
        return
    if not isinstance(value.value, list):
        value.value = []
    if len(value.value) < want:
        value.value.extend([None] * (want - len(value.value)))
    if code == REJECTED and isinstance(value.value[0], Described):
        pad_composite(value.value[0])
