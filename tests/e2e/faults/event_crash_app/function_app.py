"""The product's Function App, made to die at the worst moment for run events: right after the final hop committed
(the run document already says `completed`) and before its `completed` event is sent.

The first time the process is about to announce `completed`, it writes the run id to the file named by the setting
`EVENT_CRASH_MARK` and kills itself with SIGKILL, as a host lost mid-flush would die. A restarted host finds the
mark and behaves normally, so Service Bus's redelivery of that final message shows what recovery does.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from agents.registry import TEAMS
from switchboard.functions.app_builder import build_function_app
from switchboard.functions.entities import entities_for
from switchboard.transport.publisher import ServiceBusPublisher

_announce = ServiceBusPublisher.publish_event


async def _die_before_completed(
    self: ServiceBusPublisher, run_id: str, status: str, *, event_id: str | None = None
) -> None:
    if status == "completed" and _first_crash(run_id):
        os.kill(os.getpid(), signal.SIGKILL)
    await _announce(self, run_id, status, event_id=event_id)


def _first_crash(run_id: str) -> bool:
    """Leave the mark and say so, unless an earlier process already did (then this one lives)."""
    mark = Path(os.environ["EVENT_CRASH_MARK"])
    if mark.exists():
        return False
    mark.write_text(run_id)
    return True


ServiceBusPublisher.publish_event = _die_before_completed  # type: ignore[method-assign]

app = build_function_app(TEAMS, entities_for(TEAMS))
