"""Pure parts of the telemetry package: secret scrubbing, the price table, settings, trace ids."""

from __future__ import annotations

import pytest

from switchboard.instrumentation import message_traceparent, trace_id_for
from switchboard.instrumentation.scrub import REDACTED, secrets_in
from switchboard.telemetry import ModelPrice, Scrubber, TelemetrySettings, estimate_cost

COSMOS_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


def test_secret_settings_are_found_by_name_and_in_connection_strings() -> None:
    environ = {
        "ServiceBusConnection": "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=Root;SharedAccessKey=SAS_KEY_VALUE;",
        "COSMOS_KEY": COSMOS_KEY,
        "OPENAI_API_KEY": "mk-secret-value",
        "COSMOS_ENDPOINT": "https://127.0.0.1:8081/",
        "ServiceBusConnection__fullyQualifiedNamespace": "sb.servicebus.windows.net",
        "HOME": "/root",
    }
    assert sorted(secrets_in(environ)) == sorted(["SAS_KEY_VALUE", COSMOS_KEY, "mk-secret-value"])


@pytest.mark.parametrize(
    "text",
    [
        "Endpoint=sb://x/;SharedAccessKeyName=Root;SharedAccessKey=abcdefgh123;",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcdefgh123==;",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3",
        "key sk-proj-abcdefghijklmnopqrstuvwx",
        f"cosmos {COSMOS_KEY} here",
        "https://x.blob.core.windows.net/c?sv=2024&sig=abcdefgh%2Bxyz",
    ],
)
def test_credential_patterns_are_redacted(text: str) -> None:
    scrubbed = Scrubber()(text)
    assert REDACTED in scrubbed
    for secret in ("abcdefgh", "eyJzdWIi", "sk-proj", COSMOS_KEY[:20]):
        assert secret not in scrubbed


def test_known_secret_values_are_redacted_whatever_their_shape() -> None:
    scrub = Scrubber(["hunter22", "x"])  # too short a value is not treated as a secret
    assert scrub("password is hunter22, x marks") == f"password is {REDACTED}, x marks"
    assert scrub("plain text stays") == "plain text stays"


def test_cost_uses_the_longest_listed_model_prefix() -> None:
    prices = {"gpt-4o": ModelPrice(input=2.5, output=10), "gpt-4o-mini": ModelPrice(input=0.15, output=0.6)}
    assert estimate_cost(prices, "gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost(prices, "GPT-4o", 1000, 0) == pytest.approx(0.0025)
    assert estimate_cost(prices, "gpt-4omni", 1000, 0) is None
    assert estimate_cost(prices, "llama", 1000, 1000) is None


def test_settings_read_prices_json_and_tell_local_ingestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_MODEL_PRICES", '{"my-deployment": {"input": 1, "output": 2}}')
    monkeypatch.setenv("SWITCHBOARD_TELEMETRY_CAPTURE_CONTENT", "true")
    monkeypatch.setenv(
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "InstrumentationKey=0;IngestionEndpoint=http://127.0.0.1:8087/;LiveEndpoint=http://127.0.0.1:8087/",
    )
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    settings = TelemetrySettings()
    assert settings.enabled
    assert settings.capture_content
    assert settings.local_ingestion
    assert settings.prices()["my-deployment"] == ModelPrice(input=1, output=2)
    assert "gpt-4o" in settings.prices()
    monkeypatch.setenv(
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "InstrumentationKey=0;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    )
    assert not TelemetrySettings().local_ingestion


def test_the_run_trace_id_is_derived_from_the_run_id() -> None:
    assert trace_id_for("7f2d3c4b-1a2b-4c3d-8e9f-0a1b2c3d4e5f") == "7f2d3c4b1a2b4c3d8e9f0a1b2c3d4e5f"
    assert trace_id_for("run-1") == trace_id_for("run-1")
    assert len(trace_id_for("run-1")) == 32
    assert trace_id_for("run-1") != trace_id_for("run-2")


def test_the_producer_context_is_read_from_traceparent_then_diagnostic_id() -> None:
    tp = "00-7f2d3c4b1a2b4c3d8e9f0a1b2c3d4e5f-0102030405060708-01"
    assert message_traceparent({"Diagnostic-Id": "00-aa-bb-01", "traceparent": tp}) == tp
    assert message_traceparent({"Diagnostic-Id": tp}) == tp
    assert message_traceparent({"type": "x"}) is None
