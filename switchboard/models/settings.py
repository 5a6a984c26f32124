"""Which model endpoint to use, read from the environment (same names as Function App settings).

Precedence: Azure OpenAI (`AZURE_OPENAI_ENDPOINT`), then OpenAI or any OpenAI-compatible `/v1` server
(`OPENAI_API_KEY` and/or `OPENAI_BASE_URL`). With none of them set, `resolve()` raises
`ModelNotConfiguredError` naming the settings to set; the CLI catches that and falls back to the embedded
local model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
            )
        raise ModelNotConfiguredError(
            "no model configured: set AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_DEPLOYMENT (Entra ID or "
            "AZURE_OPENAI_API_KEY), or OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible /v1 server"
        )


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
    """

    kind: EndpointKind
    model: str
    base_url: str | None = None
    api_key: SecretStr | None = None
    api_version: str = "2024-10-21"
    timeout: float = 60.0
    max_attempts: int = 4
    json_mode: JsonMode = "json_schema"

    def describe(self) -> str:
        """A one-line description without secrets, for logs and the CLI banner."""
        where = self.base_url or "api.openai.com"
        auth = "Entra ID" if self.kind == "azure" and self.api_key is None else "key"
        return f"{self.kind} model {self.model!r} at {where} ({auth})"
