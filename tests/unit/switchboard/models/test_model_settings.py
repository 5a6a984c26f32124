from __future__ import annotations

import pytest

from switchboard.models.errors import ModelNotConfiguredError
from switchboard.models.settings import ModelSettings

_NAMES = (
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "SWITCHBOARD_MODEL_JSON_MODE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _NAMES:
        monkeypatch.delenv(name, raising=False)


def test_nothing_configured_is_a_clear_permanent_error() -> None:
    with pytest.raises(ModelNotConfiguredError) as caught:
        ModelSettings().resolve()
    assert "OPENAI_API_KEY" in caught.value.reason
    assert "AZURE_OPENAI_ENDPOINT" in caught.value.reason
    assert not caught.value.retryable


def test_azure_wins_and_uses_entra_id_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-win")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o")
    endpoint = ModelSettings().resolve()
    assert endpoint.kind == "azure"
    assert endpoint.model == "gpt-4o"
    assert endpoint.api_key is None
    assert "Entra ID" in endpoint.describe()


def test_azure_without_deployment_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    with pytest.raises(ModelNotConfiguredError):
        ModelSettings().resolve()


def test_base_url_means_a_compatible_server_and_secrets_stay_out_of_describe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    monkeypatch.setenv("OPENAI_MODEL", "llama")
    endpoint = ModelSettings().resolve()
    assert endpoint.kind == "compatible"
    assert endpoint.model == "llama"
    assert "sk-secret-value" not in endpoint.describe()
    assert "sk-secret-value" not in repr(endpoint)
