"""The teams' errors: one root, `TeamError`, permanent by type (a hosted run fails; it is not retried)."""

from __future__ import annotations

from switchboard.errors import PermanentError


class TeamError(PermanentError):
    """Root of every error a team raises while it runs."""


class TeamRunError(TeamError):
    """A team run went idle without the manager publishing `RunCompleted`."""


class SpeakerSelectionError(TeamError):
    """A selector or candidate function named no participant, or a speaker that is not one."""


class HandoffTargetError(TeamError):
    """A participant handed off to someone who is not a participant, and no condition stopped the run on it."""
