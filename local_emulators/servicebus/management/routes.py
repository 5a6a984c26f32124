"""URLs of the management API to catalog operations, with Azure's status codes and SAS authorization.

Requests carrying ``api-version`` are management calls; others (``/health``, ``/entities``, ``/reset``)
go to the control plane, which shares the port as on Microsoft's emulator.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from local_emulators.servicebus.control import ControlPlane
from local_emulators.servicebus.errors import ArgumentError, ServiceBusEmulatorError, UnauthorizedError
from local_emulators.servicebus.management import atom_requests as parse
from local_emulators.servicebus.management import atom_responses as xml
from local_emulators.servicebus.management.catalog import Catalog, EntityRecord
from local_emulators.servicebus.management.rules import DEFAULT_RULE, RuleSpec
from local_emulators.servicebus.management.schema import FIELDS
from local_emulators.servicebus.sas import SasTokenError, verify_sas_token

ENTRY_TYPE = "application/atom+xml;type=entry;charset=utf-8"
FEED_TYPE = "application/atom+xml;type=feed;charset=utf-8"
_ELEMENTS = {"queue": "QueueDescription", "topic": "TopicDescription", "subscription": "SubscriptionDescription"}
_S = "/subscriptions/(?P<sub>[^/]+)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/\$namespaceinfo$", re.I), "namespace"),
    (re.compile(r"^/\$Resources/(?P<kind>queues|topics)$", re.I), "listing"),
    (re.compile(rf"^/(?P<topic>.+){_S}/rules/(?P<rule>[^/]+)$", re.I), "rule"),
    (re.compile(rf"^/(?P<topic>.+){_S}/rules$", re.I), "rules"),
    (re.compile(rf"^/(?P<topic>.+){_S}$", re.I), "subscription"),
    (re.compile(r"^/(?P<topic>.+)/subscriptions$", re.I), "subscriptions"),
    (re.compile(r"^/(?P<name>.+)$"), "entity"),
]


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request: method, path (still percent-encoded), query, lower-cased headers, body."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class ApiResponse:
    """One HTTP response."""

    status: int
    content_type: str
    body: bytes


class ManagementApi:
    """Answer management and control-plane requests.

    Args:
        catalog: The entities.
        keys: Shared access key name → key.
        namespace: The namespace's name.
        control: The control plane for requests without ``api-version``.
        clock: Seconds since the epoch (for token expiry).
    """

    def __init__(
        self,
        catalog: Catalog,
        keys: Mapping[str, str],
        namespace: str,
        control: ControlPlane,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.keys = keys
        self.namespace = namespace
        self.control = control
        self.clock = clock
        self.started_ms = catalog.now_ms()

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request; every emulator error becomes Azure's status and error body."""
        if "api-version" not in {key.lower() for key in request.query}:
            status, payload = self.control.route(request.method, request.path, request.body)
            return ApiResponse(status, "application/json", json.dumps(payload).encode())
        try:
            self._authorize(request)
            return self._dispatch(_Call(request, self))
        except ServiceBusEmulatorError as error:
            body = xml.error(error.status, str(error)).encode()
            return ApiResponse(error.status, "application/xml; charset=utf-8", body)

    def _authorize(self, request: ApiRequest) -> None:
        token = request.headers.get("authorization")
        if not token:
            raise UnauthorizedError("MissingToken: The authorization header was not found.")
        audience = f"https://{request.headers.get('host', '')}{unquote(request.path)}"
        try:
            verify_sas_token(token, audience, self.keys, self.clock())
        except SasTokenError as error:
            raise UnauthorizedError(f"InvalidSignature: {error}") from None

    def _dispatch(self, call: _Call) -> ApiResponse:
        for pattern, name in _PATTERNS:
            match = pattern.match(call.request.path)
            if match is not None:
                call.params = {key: unquote(value) for key, value in match.groupdict().items()}
                handler: Callable[[], ApiResponse] = getattr(call, f"{name}_{call.request.method.lower()}", call.bad)
                return handler()
        raise ArgumentError(f"No management operation at {call.request.path}.")


class _Call:
    """One request being answered (the handlers read the URL's parts from ``params``)."""

    def __init__(self, request: ApiRequest, api: ManagementApi) -> None:
        self.request = request
        self.api = api
        self.catalog = api.catalog
        self.params: dict[str, str] = {}
        self.host = request.headers.get("host", "localhost")
        self.version = next((v for k, v in request.query.items() if k.lower() == "api-version"), "2021-05")

    def url(self, path: str) -> str:
        return f"https://{self.host}/{quote(path, safe='/$')}?api-version={self.version}"

    def bad(self) -> ApiResponse:
        raise ArgumentError(f"{self.request.method} is not supported on {self.request.path}.")

    def _entry(self, record: EntityRecord, status: int = 200) -> ApiResponse:
        path = record.name if record.topic is None else f"{record.topic}/subscriptions/{record.name}"
        times = (record.created_ms, record.updated_ms)
        content = xml.description(
            _ELEMENTS[record.kind],
            FIELDS[record.kind],
            record.fields,
            self.catalog.runtime(record),
            times,
            f"sb://{self.host}",
        )
        body = xml.entry(self.url(path), record.name, content, times, self.api.namespace)
        return ApiResponse(status, ENTRY_TYPE, body.encode())

    def _rule_entry(self, spec: RuleSpec, status: int = 200) -> ApiResponse:
        topic, sub = self.params["topic"], self.params["sub"]
        url = self.url(f"{topic}/subscriptions/{sub}/rules/{spec.name}")
        times = (spec.created_ms, spec.created_ms)
        return ApiResponse(status, ENTRY_TYPE, xml.entry(url, spec.name, xml.rule_description(spec), times).encode())

    def _feed(self, path: str, title: str, entries: list[str]) -> ApiResponse:
        skip, top = self._int("$skip", 0), self._int("$top", 100)
        page = entries[skip : skip + top]
        next_url = None
        if skip + top < len(entries):
            next_url = f"{self.url(path)}&$skip={skip + top}&$top={top}"
        body = xml.feed(self.url(path), title, page, self.catalog.now_ms(), next_url)
        return ApiResponse(200, FEED_TYPE, body.encode())

    def _int(self, name: str, default: int) -> int:
        text = self.request.query.get(name)
        if text is None:
            return default
        if not text.isdigit():
            raise ArgumentError(f"The query parameter {name} must be a non-negative whole number.")
        return int(text)

    def _entry_text(self, response: ApiResponse) -> str:
        return response.body.decode()

    @property
    def _update(self) -> bool:
        return "if-match" in self.request.headers

    # -------------------------------------------------------------- namespace and listings
    def namespace_get(self) -> ApiResponse:
        info = xml.namespace_info(self.api.namespace, self.api.started_ms)
        times = (self.api.started_ms, self.api.started_ms)
        body = xml.entry(self.url("$namespaceinfo"), self.api.namespace, info, times)
        return ApiResponse(200, ENTRY_TYPE, body.encode())

    def listing_get(self) -> ApiResponse:
        kind = self.params["kind"].lower().removesuffix("s")
        entries = [self._entry_text(self._entry(record)) for record in self.catalog.entities(kind)]
        return self._feed(f"$Resources/{kind}s", f"{kind.capitalize()}s", entries)

    # -------------------------------------------------------------- queues and topics
    def entity_get(self) -> ApiResponse:
        record = self.catalog.entity(self.params["name"])
        if record is None:  # Azure answers a missing queue or topic with an empty feed
            body = xml.feed(self.url(self.params["name"]), "Publicly Listed Services", [], self.catalog.now_ms())
            return ApiResponse(200, FEED_TYPE, body.encode())
        return self._entry(record)

    def entity_put(self) -> ApiResponse:
        element = parse.read_description(self.request.body)
        kind = parse.DESCRIPTIONS.get(parse.local(element.tag))
        if kind not in ("queue", "topic"):
            raise ArgumentError(f"A {parse.local(element.tag)} cannot be put at {self.request.path}.")
        record, created = self.catalog.put_entity(
            kind, self.params["name"], parse.leaf_values(element), update=self._update
        )
        return self._entry(record, 201 if created else 200)

    def entity_delete(self) -> ApiResponse:
        self.catalog.delete_entity(self.params["name"])
        return ApiResponse(200, ENTRY_TYPE, b"")

    # -------------------------------------------------------------- subscriptions
    def subscriptions_get(self) -> ApiResponse:
        topic = self.params["topic"]
        entries = [self._entry_text(self._entry(record)) for record in self.catalog.subscriptions(topic)]
        return self._feed(f"{topic}/subscriptions", "Subscriptions", entries)

    def subscription_get(self) -> ApiResponse:
        return self._entry(self.catalog.subscription(self.params["topic"], self.params["sub"]))

    def subscription_put(self) -> ApiResponse:
        element = parse.read_description(self.request.body)
        if parse.local(element.tag) != "SubscriptionDescription":
            raise ArgumentError(f"A {parse.local(element.tag)} cannot be put at {self.request.path}.")
        rule_element = parse.child(element, "DefaultRuleDescription")
        first_rule = None
        if rule_element is not None:
            name = parse.leaf_values(rule_element).get("Name") or DEFAULT_RULE
            first_rule = parse.read_rule(rule_element, name)
        record, created = self.catalog.put_subscription(
            self.params["topic"], self.params["sub"], parse.leaf_values(element), first_rule, update=self._update
        )
        return self._entry(record, 201 if created else 200)

    def subscription_delete(self) -> ApiResponse:
        self.catalog.delete_subscription(self.params["topic"], self.params["sub"])
        return ApiResponse(200, ENTRY_TYPE, b"")

    # -------------------------------------------------------------- rules
    def rules_get(self) -> ApiResponse:
        topic, sub = self.params["topic"], self.params["sub"]
        specs = list(self.catalog.subscription(topic, sub).rules.values())
        entries = [self._entry_text(self._rule_entry(spec)) for spec in specs]
        return self._feed(f"{topic}/subscriptions/{sub}/rules", "Rules", entries)

    def rule_get(self) -> ApiResponse:
        return self._rule_entry(self.catalog.rule(self.params["topic"], self.params["sub"], self.params["rule"]))

    def rule_put(self) -> ApiResponse:
        element = parse.read_description(self.request.body)
        if parse.local(element.tag) != "RuleDescription":
            raise ArgumentError(f"A {parse.local(element.tag)} cannot be put at {self.request.path}.")
        spec = parse.read_rule(element, self.params["rule"])
        stored, created = self.catalog.put_rule(self.params["topic"], self.params["sub"], spec, update=self._update)
        return self._rule_entry(stored, 201 if created else 200)

    def rule_delete(self) -> ApiResponse:
        self.catalog.delete_rule(self.params["topic"], self.params["sub"], self.params["rule"])
        return ApiResponse(200, ENTRY_TYPE, b"")


def parse_target(target: str) -> tuple[str, dict[str, str]]:
    """Split a request target into its path and query parameters (the last of repeated names wins)."""
    path, _, query = target.partition("?")
    return path, dict(parse_qsl(query, keep_blank_values=True))
