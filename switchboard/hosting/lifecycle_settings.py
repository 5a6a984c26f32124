"""`RunLifecycleSettings`: when a run is stranded, when a message is undeliverable, how long items are kept.

Described in docs/hosting.md, "Stranded runs and retention".

One setting name each, identical in the environment, `local.settings.json` `Values` and the Function App's settings
(Bicep sets them next to the `SweeperSchedule` the sweeper's timer reads).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STALE_SECONDS = 2 * 3600
"""Two hours: longer than `functionTimeout` (30 min) plus the transient-fault retry budget (about 15 min)."""
DEFAULT_HOP_RETENTION_SECONDS = 7 * 24 * 3600
"""Seven days: inbox marks, outboxes and steps outlive any redelivery and a week of dead-letter replays."""
DEFAULT_MAX_DELIVERY_COUNT = 10
"""The queues' `maxDeliveryCount` (switchboard/functions/entities.py, infra/entities.json)."""


class RunLifecycleSettings(BaseSettings):
    """Settings of stranded-run detection and retention.

    Attributes:
        stale_after_seconds: `SWITCHBOARD_STALE_RUN_SECONDS`: an active run (`queued`/`running`) whose run document
            has not changed for this long, with nothing in flight, is ended `failed` by the sweeper.
        sweep_limit: `SWITCHBOARD_SWEEP_LIMIT`: the most runs one sweep ends (the next sweep takes the rest).
        max_delivery_count: `SWITCHBOARD_MAX_DELIVERY_COUNT`: the agent and `tasks` queues' `maxDeliveryCount`; a
            message that would be abandoned on this delivery fails its run and is dead-lettered instead.
        hop_retention_seconds: `SWITCHBOARD_HOP_RETENTION_SECONDS`: Cosmos TTL of inbox marks, outboxes and steps.
        run_retention_seconds: `SWITCHBOARD_RUN_RETENTION_SECONDS`: Cosmos TTL of run documents and transcript
            entries; -1 (the default) keeps them.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=False)

    stale_after_seconds: float = Field(
        default=DEFAULT_STALE_SECONDS,
        gt=0,
        validation_alias=AliasChoices("SWITCHBOARD_STALE_RUN_SECONDS", "stale_after_seconds"),
    )
    sweep_limit: int = Field(
        default=100, ge=1, le=1000, validation_alias=AliasChoices("SWITCHBOARD_SWEEP_LIMIT", "sweep_limit")
    )
    max_delivery_count: int = Field(
        default=DEFAULT_MAX_DELIVERY_COUNT,
        ge=1,
        validation_alias=AliasChoices("SWITCHBOARD_MAX_DELIVERY_COUNT", "max_delivery_count"),
    )
    hop_retention_seconds: int = Field(
        default=DEFAULT_HOP_RETENTION_SECONDS,
        ge=1,
        validation_alias=AliasChoices("SWITCHBOARD_HOP_RETENTION_SECONDS", "hop_retention_seconds"),
    )
    run_retention_seconds: int = Field(
        default=-1,
        ge=-1,
        validation_alias=AliasChoices("SWITCHBOARD_RUN_RETENTION_SECONDS", "run_retention_seconds"),
    )

    @property
    def run_ttl(self) -> int | None:
        """The `ttl` run documents and entries get, or None to keep them (0 is refused by Cosmos, so it means keep)."""
        return self.run_retention_seconds if self.run_retention_seconds > 0 else None
