"""`TelemetrySettings`: where telemetry goes, what it may contain, and what models cost (pydantic-settings)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class ModelPrice(BaseModel):
    """A model's list price in USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


DEFAULT_PRICES: dict[str, ModelPrice] = {
    # Public list prices per million tokens (standard, global deployment); override with SWITCHBOARD_MODEL_PRICES.
    "gpt-4o": ModelPrice(input=2.5, output=10.0),
    "gpt-4o-mini": ModelPrice(input=0.15, output=0.6),
    "gpt-4.1": ModelPrice(input=2.0, output=8.0),
    "gpt-4.1-mini": ModelPrice(input=0.4, output=1.6),
    "gpt-4.1-nano": ModelPrice(input=0.1, output=0.4),
    "o3-mini": ModelPrice(input=1.1, output=4.4),
    "o4-mini": ModelPrice(input=1.1, output=4.4),
}


class TelemetrySettings(BaseSettings):
    """Telemetry settings, read from the environment (the same names in local.settings.json and app settings).

    Attributes:
        connection_string: `APPLICATIONINSIGHTS_CONNECTION_STRING`: export to Application Insights.
        otlp_endpoint: `OTEL_EXPORTER_OTLP_ENDPOINT`: export over OTLP/HTTP (the exporter reads its own OTEL_* vars).
        capture_content: `SWITCHBOARD_TELEMETRY_CAPTURE_CONTENT`: put prompt, completion and tool-argument text on
            spans. Off by default; secrets are scrubbed either way.
        model_prices: `SWITCHBOARD_MODEL_PRICES`: JSON `{"model": {"input": usd_per_1m, "output": usd_per_1m}}`,
            merged over the defaults; a deployment name matches its longest listed prefix.
        service_name: `OTEL_SERVICE_NAME` (App Insights' cloud role), else the Function App's name, else switchboard.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    connection_string: str | None = Field(default=None, validation_alias="APPLICATIONINSIGHTS_CONNECTION_STRING")
    otlp_endpoint: str | None = Field(default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    capture_content: bool = Field(default=False, validation_alias="SWITCHBOARD_TELEMETRY_CAPTURE_CONTENT")
    model_prices: dict[str, ModelPrice] = Field(default_factory=dict, validation_alias="SWITCHBOARD_MODEL_PRICES")
    service_name: str = Field(
        default_factory=lambda: os.environ.get("WEBSITE_SITE_NAME") or "switchboard",
        validation_alias=AliasChoices("OTEL_SERVICE_NAME"),
    )

    @property
    def enabled(self) -> bool:
        """Whether any exporter is configured."""
        return bool(self.connection_string or self.otlp_endpoint)

    @property
    def local_ingestion(self) -> bool:
        """Whether App Insights ingestion is on this machine (an emulator: no live metrics, no counters)."""
        for part in (self.connection_string or "").split(";"):
            name, _, value = part.partition("=")
            if name.strip().lower() == "ingestionendpoint":
                return (urlparse(value.strip()).hostname or "") in _LOOPBACK
        return False

    def prices(self) -> dict[str, ModelPrice]:
        """The default price table with the configured prices over it."""
        return {**DEFAULT_PRICES, **self.model_prices}


def estimate_cost(prices: dict[str, ModelPrice], model: str, input_tokens: int, output_tokens: int) -> float | None:
    """The call's cost in USD by the longest model-name prefix in `prices`; None for an unpriced model."""
    name = model.lower()
    matches = [key for key in prices if name == key.lower() or name.startswith(key.lower() + "-")]
    if not matches:
        return None
    price = prices[max(matches, key=len)]
    return round((input_tokens * price.input + output_tokens * price.output) / 1_000_000, 8)
