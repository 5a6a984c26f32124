"""The scrubber an agent applies to tool arguments and results before they enter the run's transcript.

The same one the traces use (`switchboard.instrumentation.scrub`): the values of the process's secret settings, and
credential patterns. Built once per process, from the environment the agent runs in (the Function App's settings).
"""

from __future__ import annotations

from functools import cache

from switchboard.instrumentation.scrub import Scrubber


@cache
def transcript_scrubber() -> Scrubber:
    """The process's scrubber (its secrets read from the environment on first use)."""
    return Scrubber.from_environment()
