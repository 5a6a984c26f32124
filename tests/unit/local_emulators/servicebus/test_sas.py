"""SAS token verification: tokens from the real SDK verify; tampered, expired and foreign ones fail by class."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from azure.servicebus._base_handler import ServiceBusSharedKeyCredential
from azure.servicebus._pyamqp.utils import generate_sas_token as sdk_generate_sas_token

from local_emulators.servicebus.errors import ServiceBusEmulatorError
from local_emulators.servicebus.sas import (
    AudienceMismatch,
    BadSignature,
    MalformedToken,
    SasTokenError,
    TokenExpired,
    UnknownKeyName,
    generate_sas_token,
    parse_sas_token,
    verify_sas_token,
)

KEYS = {"RootManageSharedAccessKey": "SAS_KEY_VALUE", "listen": "another-key"}
NOW = 1_800_000_000.0
ENTITY = "sb://127.0.0.1:5672/queue.1"


def sdk_token(
    resource: str = ENTITY, key_name: str = "RootManageSharedAccessKey", key: str = "SAS_KEY_VALUE", expiry: int = 0
) -> str:
    # The SDK's own generator (what ServiceBusSharedKeyCredential calls); it is untyped.
    token = sdk_generate_sas_token(resource, key_name, key, expiry or int(NOW) + 3600)  # type: ignore[no-untyped-call]
    return str(token)


def test_token_from_the_sdk_credential_verifies() -> None:
    # The very object the client uses for CBS put-token with a connection string.
    credential = ServiceBusSharedKeyCredential("RootManageSharedAccessKey", "SAS_KEY_VALUE")
    access = credential.get_token(ENTITY)
    verify_sas_token(access.token, ENTITY, KEYS, now=time.time())


@pytest.mark.parametrize(
    "audience",
    [
        ENTITY,
        "amqps://127.0.0.1:5672/queue.1",
        "amqp://127.0.0.1:5672/queue.1",
        "http://127.0.0.1:5672/queue.1/",
        "SB://127.0.0.1:5672/QUEUE.1",
        "sb://127.0.0.1:5672/queue.1/$management",
        "sb://127.0.0.1:5672/queue.1/$DeadLetterQueue",
    ],
)
def test_entity_token_covers_the_entity_and_its_subpaths(audience: str) -> None:
    verify_sas_token(sdk_token(), audience, KEYS, NOW)


def test_namespace_token_covers_every_entity() -> None:
    token = sdk_token("sb://127.0.0.1:5672/")
    verify_sas_token(token, "amqps://127.0.0.1:5672/topic/Subscriptions/sub", KEYS, NOW)


@pytest.mark.parametrize(
    "audience",
    [
        "sb://127.0.0.1:5672/queue.10",
        "sb://127.0.0.1:5672/other",
        "sb://127.0.0.2:5672/queue.1",
        "sb://127.0.0.1/queue.1",
    ],
)
def test_token_for_another_resource_is_refused(audience: str) -> None:
    with pytest.raises(AudienceMismatch):
        verify_sas_token(sdk_token(), audience, KEYS, NOW)


def test_wrong_key_is_a_bad_signature() -> None:
    token = sdk_token(key="not-the-key")
    with pytest.raises(BadSignature):
        verify_sas_token(token, ENTITY, KEYS, NOW)


def test_token_signed_with_a_different_configured_key_is_refused() -> None:
    token = sdk_token(key_name="RootManageSharedAccessKey", key="another-key")
    with pytest.raises(BadSignature):
        verify_sas_token(token, ENTITY, KEYS, NOW)


def test_second_configured_key_works_under_its_own_name() -> None:
    verify_sas_token(sdk_token(key_name="listen", key="another-key"), ENTITY, KEYS, NOW)


def test_unknown_key_name() -> None:
    with pytest.raises(UnknownKeyName):
        verify_sas_token(sdk_token(key_name="nobody"), ENTITY, KEYS, NOW)


def test_expired_token() -> None:
    token = sdk_token()
    with pytest.raises(TokenExpired):
        verify_sas_token(token, ENTITY, KEYS, now=NOW + 3600)
    verify_sas_token(token, ENTITY, KEYS, now=NOW + 3599)


@pytest.mark.parametrize(
    ("field", "replacement"),
    [("se", str(int(NOW) + 999_999)), ("sr", quote("sb://127.0.0.1:5672/other", safe=""))],
)
def test_tampered_expiry_or_resource_breaks_the_signature(field: str, replacement: str) -> None:
    parts = dict(pair.split("=", 1) for pair in sdk_token().removeprefix("SharedAccessSignature ").split("&"))
    parts[field] = replacement
    tampered = "SharedAccessSignature " + "&".join(f"{k}={v}" for k, v in parts.items())
    with pytest.raises(BadSignature):
        verify_sas_token(tampered, "sb://127.0.0.1:5672/other", KEYS, NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Bearer abc",
        "SharedAccessSignature sr=a&sig=AAAA&se=1",
        "SharedAccessSignature sr=a&sig=AAAA&skn=k",
        "SharedAccessSignature sr=a&sig=AAAA&se=soon&skn=k",
        "SharedAccessSignature sr=a&sig=%%%&se=1&skn=k",
        "SharedAccessSignature sr=a&sr=b&sig=AAAA&se=1&skn=k",
        "SharedAccessSignature sr&sig=AAAA&se=1&skn=k",
    ],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(MalformedToken):
        verify_sas_token(token, ENTITY, KEYS, NOW)


def test_all_refusals_share_one_root() -> None:
    for error in (MalformedToken, UnknownKeyName, BadSignature, TokenExpired, AudienceMismatch):
        assert issubclass(error, SasTokenError)
    assert issubclass(SasTokenError, ServiceBusEmulatorError)


def test_own_generator_matches_the_sdk_byte_for_byte() -> None:
    assert generate_sas_token(ENTITY, "RootManageSharedAccessKey", "SAS_KEY_VALUE", NOW + 3600) == sdk_token()


def test_lower_case_escapes_and_raw_plus_in_signature_are_accepted() -> None:
    # .NET's HttpUtility writes lower-case escapes; hand-written tokens may leave '+' unescaped.
    parsed = parse_sas_token(sdk_token())
    token = generate_sas_token(ENTITY, "RootManageSharedAccessKey", "SAS_KEY_VALUE", NOW + 3600)
    relaxed = token.replace("%3A", "%3a").replace("%2F", "%2f")
    verify_sas_token(relaxed, ENTITY, KEYS, NOW)
    expiry = next(
        e for e in range(int(NOW) + 1, int(NOW) + 1000) if "%2B" in sdk_token(ENTITY, "listen", "another-key", e)
    )
    raw_plus = sdk_token(ENTITY, "listen", "another-key", expiry).replace("%2B", "+")
    verify_sas_token(raw_plus, ENTITY, KEYS, NOW)
    assert parsed.resource == ENTITY
    assert parsed.key_name == "RootManageSharedAccessKey"
    assert parsed.expiry == int(NOW) + 3600
    assert len(parsed.signature) == 32
