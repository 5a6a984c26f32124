from __future__ import annotations

import pytest

from switchboard import errors
from switchboard.errors import Disposition, disposition_for


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.InvalidEnvelopeError("x"), Disposition.DEAD_LETTER),
        (errors.UnknownMessageTypeError("x"), Disposition.DEAD_LETTER),
        (errors.UnsupportedMessageVersionError("x"), Disposition.DEAD_LETTER),
        (errors.InvalidMessagePayloadError("x"), Disposition.DEAD_LETTER),
        (errors.UnroutableMessageError("x"), Disposition.DEAD_LETTER),
        (errors.StateConflictError("x"), Disposition.RETRY),
        (errors.TransientError("x"), Disposition.RETRY),
        (errors.StateVersionError("x"), Disposition.FAIL_RUN),
        (errors.CancelledError("x"), Disposition.FAIL_RUN),
        (errors.PermanentError("x"), Disposition.FAIL_RUN),
        (ConnectionResetError("socket"), Disposition.RETRY),
        (ValueError("a bug in a handler"), Disposition.RETRY),
    ],
)
def test_disposition_is_decided_by_type(error: BaseException, expected: Disposition) -> None:
    assert disposition_for(error) is expected


def test_reason_is_kept_and_retryable_follows_disposition() -> None:
    error = errors.StateConflictError("etag moved")
    assert error.reason == "etag moved"
    assert str(error) == "etag moved"
    assert error.retryable
    assert not errors.InvalidEnvelopeError("x").retryable
