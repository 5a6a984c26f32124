"""`CancellationToken`: cooperative cancellation passed to handlers, model calls and tools."""

from __future__ import annotations

from collections.abc import Callable

from switchboard.errors import CancelledError


class CancellationToken:
    """Set once, by whoever cancels a run; read by the work in progress."""

    def __init__(self) -> None:
        self._cancelled = False
        self._callbacks: list[Callable[[], None]] = []

    @property
    def is_cancelled(self) -> bool:
        """Whether `cancel()` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Cancel, running each registered callback once."""
        if self._cancelled:
            return
        self._cancelled = True
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Run `callback` on cancellation (at once if already cancelled)."""
        if self._cancelled:
            callback()
        else:
            self._callbacks.append(callback)

    def remove_callback(self, callback: Callable[[], None]) -> None:
        """Forget a callback that is no longer needed (the work it would stop has finished)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def raise_if_cancelled(self) -> None:
        """Raise `CancelledError` when cancelled; call it between steps of long work."""
        if self._cancelled:
            raise CancelledError("the run was cancelled")
