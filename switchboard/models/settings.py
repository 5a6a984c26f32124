"""Which model endpoint to use, read from the environment (same names as Function App settings).

Precedence: Azure OpenAI (`AZURE_OPENAI_ENDPOINT`), then OpenAI or any OpenAI-compatible `/v1` server
(`OPENAI_API_KEY` and/or `OPENAI_BASE_URL`). With none of them set, `resolve()` raises
`ModelNotConfiguredError` naming the settings to set; the CLI catches that and falls back to the embedded
local model. One agent can override any of these names as `MODEL__<AGENT>__<NAME>` (`agent_models.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard.models.errors import ModelNotConfiguredError

EndpointKind = Literal["azure", "openai", "compatible"]
JsonMode = Literal["json_schema", "json_object"]


class ModelSettings(BaseSettings):
    """Model settings from environment variables (unprefixed, as Azure and OpenAI name them)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    azure_openai_endpoint: str | None = None
    azure_openai_api_key: SecretStr | None = None
    azure_openai_deployment: str | None = None
    openai_api_version: str = Field(default="2024-10-21")
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    switchboard_model_timeout: float = 60.0
    switchboard_model_max_attempts: int = 4
    switchboard_model_json_mode: JsonMode | None = None
    switchboard_model_temperature: float | None = None
    switchboard_model_max_tokens: int | None = Field(default=None, gt=0)
    switchboard_model_price_input: float | None = Field(default=None, ge=0)
    switchboard_model_price_output: float | None = Field(default=None, ge=0)

    def resolve(self) -> ModelEndpoint:
        """Pick the endpoint these settings describe.

        Returns:
            The endpoint to build a client for.

        Raises:
            ModelNotConfiguredError: Nothing is set, or Azure is set without a deployment name.
        """
        if self.azure_openai_endpoint:
            if not self.azure_openai_deployment:
                raise ModelNotConfiguredError(
                    "AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not: name the deployment to call"
                )
            return ModelEndpoint(
                kind="azure",
                model=self.azure_openai_deployment,
                base_url=self.azure_openai_endpoint,
                api_key=self.azure_openai_api_key,
                api_version=self.openai_api_version,
                timeout=self.switchboard_model_timeout,
                max_attempts=self.switchboard_model_max_attempts,
                json_mode=self.switchboard_model_json_mode or "json_schema",
                **self._call_options(),
            )
        if self.openai_api_key or self.openai_base_url:
            return ModelEndpoint(
                kind="compatible" if self.openai_base_url else "openai",
                model=self.openai_model,
                base_url=self.openai_base_url,
                api_key=self.openai_api_key,
                timeout=self.switchboard_model_timeout,
                max_attempts=self.switchboard_model_max_attempts,
                json_mode=self.switchboard_model_json_mode or "json_schema",
                **self._call_options(),
            )
        raise ModelNotConfiguredError(
            "no model configured: set AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_DEPLOYMENT (Entra ID or "
            "AZURE_OPENAI_API_KEY), or OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible /v1 server"
        )

    def _call_options(self) -> dict[str, Any]:
        price = None
        if self.switchboard_model_price_input is not None or self.switchboard_model_price_output is not None:
            price = TokenPrice(self.switchboard_model_price_input or 0.0, self.switchboard_model_price_output or 0.0)
        return {
            "temperature": self.switchboard_model_temperature,
            "max_tokens": self.switchboard_model_max_tokens,
            "price": price,
        }


@dataclass(frozen=True)
class TokenPrice:
    """What a model endpoint charges, in USD per million tokens (the unit of the public price lists).

    Attributes:
        input: Price of a million prompt (input) tokens.
        output: Price of a million completion (output) tokens.
    """

    input: float
    output: float

    def of(self, input_tokens: int, output_tokens: int) -> float:
        """The price of one call's tokens."""
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


@dataclass(frozen=True)
class ModelEndpoint:
    """A resolved model endpoint.

    Attributes:
        kind: `azure` (Entra ID or key), `openai`, or `compatible` (any `/v1` base URL).
        model: Model name, or the Azure deployment name.
        base_url: Azure endpoint or `/v1` base URL; None means api.openai.com.
        api_key: Key, when not using Entra ID. Never logged.
        api_version: Azure OpenAI API version.
        timeout: Seconds allowed for one call.
        max_attempts: Attempts per call including retries.
        json_mode: How to ask for structured output; llama.cpp's server only takes `json_object`.
        temperature: Sampling temperature for calls whose agent sets none.
        max_tokens: A cap on completion tokens per call (an agent's own `max_tokens` is lowered to it).
        price: This endpoint's price, which telemetry uses for cost instead of its price list.
    """

    kind: EndpointKind
    model: str
    base_url: str | None = None
    api_key: SecretStr | None = None
    api_version: str = "2024-10-21"
    timeout: float = 60.0
    max_attempts: int = 4
    json_mode: JsonMode = "json_schema"
    temperature: float | None = None
    max_tokens: int | None = None
    price: TokenPrice | None = None

    def describe(self) -> str:
        """A one-line description without secrets, for logs and the CLI banner."""
        where = self.base_url or "api.openai.com"
        auth = "Entra ID" if self.kind == "azure" and self.api_key is None else "key"
        return f"{self.kind} model {self.model!r} at {where} ({auth})"
