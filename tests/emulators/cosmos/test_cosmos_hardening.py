"""Hostile and malformed bytes on the wire: always a 4xx in Azure's error shape, never a 500 or a dropped socket."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid
from email.utils import formatdate

import pytest
from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey, exceptions

from tests.emulators.cosmos.cosmos_harness import Emulator
from tests.emulators.cosmos.signed_http import RawResponse, signed

QUERY = {"x-ms-documentdb-isquery": "true", "content-type": "application/query+json"}
PK_A = {"x-ms-documentdb-partitionkey": '["a"]'}


@pytest.fixture
def names(client: CosmosClient) -> tuple[str, str]:
    db = f"hard-{uuid.uuid4().hex[:8]}"
    container = client.create_database(db).create_container("c", PartitionKey("/pk"))
    container.create_item({"id": "x", "pk": "a", "arr": [1, 2, 3], "n": 1})
    return db, "c"


def _azure_error(response: RawResponse, status: int, code: str = "BadRequest") -> str:
    assert response.status == status, response.body
    assert response.body["code"] == code
    assert "x-ms-substatus" in response.headers
    message: str = response.body["message"]
    assert message
    return message


def _post_docs(emulator: Emulator, names: tuple[str, str], raw: bytes, headers: dict[str, str]) -> RawResponse:
    db, coll = names
    return signed(
        emulator, "POST", f"/dbs/{db}/colls/{coll}/docs", "docs", f"dbs/{db}/colls/{coll}", None, headers, raw=raw
    )


def _query(emulator: Emulator, names: tuple[str, str], text: str, **extra: object) -> RawResponse:
    body = json.dumps({"query": text, **extra}).encode()
    return _post_docs(emulator, names, body, QUERY)


@pytest.mark.parametrize(
    "token",
    [
        "%%%garbage",
        base64.b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b'{"o":"zz"}').decode(),
        base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
    ],
)
def test_malformed_continuation_tokens_are_400(emulator: Emulator, names: tuple[str, str], token: str) -> None:
    db, coll = names
    _azure_error(
        _post_docs(emulator, names, b'{"query":"SELECT * FROM c"}', {**QUERY, "x-ms-continuation": token}), 400
    )
    feed = signed(
        emulator,
        "GET",
        f"/dbs/{db}/colls/{coll}/docs",
        "docs",
        f"dbs/{db}/colls/{coll}",
        None,
        {"x-ms-continuation": token},
    )
    _azure_error(feed, 400)


@pytest.mark.parametrize("path", ["/arr/\u0661", "/arr/" + "9" * 5000, "/a" * 100_000, "/arr/\u00b2"])
def test_patch_paths_with_foreign_digits_huge_indexes_or_extreme_depth_are_400(
    emulator: Emulator, names: tuple[str, str], path: str
) -> None:
    db, coll = names
    body = json.dumps({"operations": [{"op": "add", "path": path, "value": 1}]}).encode()
    link = f"dbs/{db}/colls/{coll}/docs/x"
    _azure_error(signed(emulator, "PATCH", f"/{link}", "docs", link, None, PK_A, raw=body), 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id":"d","pk":"a","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"id":"d","pk":"a","x":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}",
        b'{"id":"d","pk":"a","x":' + b"[" * 200 + b"]" * 200 + b"}",  # parses, but deeper than the 128 allowed
    ],
)
def test_json_nested_too_deep_is_400(emulator: Emulator, names: tuple[str, str], raw: bytes) -> None:
    message = _azure_error(_post_docs(emulator, names, raw, PK_A), 400)
    assert "128" in message


def test_partition_key_header_nested_deep_is_400(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    link = f"dbs/{db}/colls/{coll}/docs/x"
    deep = {"x-ms-documentdb-partitionkey": "[" * 100_000 + "]" * 100_000}
    _azure_error(signed(emulator, "GET", f"/{link}", "docs", link, None, deep), 400)


@pytest.mark.parametrize(
    ("raw", "header"),
    [
        (b'{"id":"\\ud800","pk":"a"}', '["a"]'),
        (b'{"id":"s","pk":"a","v":{"k":"\\udc00"}}', '["a"]'),
        (b'{"id":"s","pk":"\\ud800"}', '["\\ud800"]'),
        (b'{"id":"s","pk":"a","\\udfff":1}', '["a"]'),
    ],
)
def test_lone_surrogates_in_ids_keys_and_bodies_are_400(
    emulator: Emulator, names: tuple[str, str], raw: bytes, header: str
) -> None:
    message = _azure_error(_post_docs(emulator, names, raw, {"x-ms-documentdb-partitionkey": header}), 400)
    assert "surrogate" in message


def test_non_finite_numbers_are_400(emulator: Emulator, names: tuple[str, str]) -> None:
    for raw in (b'{"id":"n","pk":"a","v":1e999}', b'{"id":"n","pk":"a","v":NaN}', b'{"id":"n","pk":"a","v":-Infinity}'):
        _azure_error(_post_docs(emulator, names, raw, PK_A), 400)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM c WHERE " + "(" * 60 + "c.n = 1" + ")" * 60,
        "SELECT VALUE " + "(SELECT VALUE " * 300 + "1" + ")" * 300 + " FROM c",
        "SELECT * FROM c WHERE " + "NOT " * 50_000 + "true",
        "SELECT * FROM c WHERE c.n = \u0661",
        "SELECT TOP \u0661 * FROM c",
        "SELECT * FROM c OFFSET 9223372036854775808 LIMIT 1",
        "SELECT * FROM c OFFSET 0 LIMIT 99999999999999999999999",
        "SELECT TOP 99999999999999999999999 * FROM c",
        "SELECT VALUE 1e999 FROM c",
    ],
)
def test_hostile_sql_is_400(emulator: Emulator, names: tuple[str, str], text: str) -> None:
    _azure_error(_query(emulator, names, text), 400)


def test_offset_parameter_beyond_int64_is_400(emulator: Emulator, names: tuple[str, str]) -> None:
    response = _query(emulator, names, "SELECT * FROM c OFFSET @o LIMIT 1", parameters=[{"name": "@o", "value": 2**64}])
    _azure_error(response, 400)


@pytest.mark.parametrize("signature", ["é€", "\u0661" * 44])
def test_non_ascii_signature_is_401(emulator: Emulator, names: tuple[str, str], signature: str) -> None:
    response = signed(emulator, "GET", "/dbs", "dbs", "", signature=signature)
    _azure_error(response, 401, "Unauthorized")


def test_body_over_2_mb_is_413_measured_on_request_bytes(emulator: Emulator, names: tuple[str, str]) -> None:
    # The JSON itself is small once parsed (whitespace), but the request is over the limit.
    raw = b'{"id":"big","pk":"a"' + b" " * (2 * 1024 * 1024) + b"}"
    _azure_error(_post_docs(emulator, names, raw, PK_A), 413, "RequestEntityTooLarge")
    under = b'{"id":"fits","pk":"a","s":"' + b"x" * (2 * 1024 * 1024 - 1024) + b'"}'
    assert _post_docs(emulator, names, under, PK_A).status == 201


def test_50_mb_body_is_refused_from_its_head_without_reading_it(emulator: Emulator, names: tuple[str, str]) -> None:
    db, coll = names
    head = (
        f"POST /dbs/{db}/colls/{coll}/docs HTTP/1.1\r\nHost: 127.0.0.1\r\nx-ms-date: {formatdate(usegmt=True)}\r\n"
        f"authorization: unchecked\r\ncontent-type: application/json\r\ncontent-length: {50 * 1024 * 1024}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as sock:
        # Only a sliver of the declared 50 MB is ever sent: the answer cannot depend on reading it all.
        sock.sendall(head + b'{"id":"huge","pk":"a","v":"' + b"x" * 65536)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, "connection closed without an answer"
            answer += chunk
        head_text, _, rest = answer.partition(b"\r\n\r\n")
        assert head_text.startswith(b"HTTP/1.1 413")
        length = int(
            next(line.split(b":")[1] for line in head_text.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        while len(rest) < length:
            rest += sock.recv(65536)
        assert json.loads(rest[:length])["code"] == "RequestEntityTooLarge"


def test_bad_content_length_is_400_not_a_dropped_socket(emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as sock:
        sock.sendall(b"POST /dbs HTTP/1.1\r\nHost: x\r\ncontent-length: -5\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 400")


def _reads_before(container: ContainerProxy, finished: list[float]) -> int:
    """How many point reads completed before the work that appends to `finished` ended.

    Compared by completion time, not by a count that races the work: a request stalled behind the work would only
    complete after it.
    """
    served: list[float] = []
    while not finished and len(served) < 5000:
        assert container.read_item("probe", partition_key="p")["id"] == "probe"
        served.append(time.monotonic())
    deadline = time.monotonic() + 120
    while not finished and time.monotonic() < deadline:
        time.sleep(0.01)
    return sum(1 for at in served if finished and at < finished[0])


def test_slow_query_is_paged_by_its_budget_while_other_requests_are_served(
    emulator: Emulator, database: DatabaseProxy
) -> None:
    container = database.create_container("slow", PartitionKey("/pk"))
    container.create_item({"id": "probe", "pk": "p"})
    container.create_item({"id": "big", "pk": "a", "arr": list(range(90))})
    query = "SELECT VALUE COUNT(1) FROM c JOIN x IN c.arr JOIN y IN c.arr JOIN z IN c.arr"
    pages: list[list[int]] = []
    finished: list[float] = []

    def run() -> None:
        try:
            with CosmosClient(emulator.http, credential=emulator.key) as own:
                mine = own.get_database_client(database.id).get_container_client("slow")
                # Not the text sent raw below: a new job, not the one the raw request already started.
                sdk_query = f"{query} WHERE true"
                pages.extend(list(page) for page in mine.query_items(sdk_query, partition_key="a").by_page())
        finally:
            finished.append(time.monotonic())

    # On the wire, a page whose execution budget runs out comes back empty with a continuation.
    link = f"dbs/{database.id}/colls/slow"
    raw = json.dumps({"query": query}).encode()
    first = signed(emulator, "POST", f"/{link}/docs", "docs", link, None, {**QUERY, **PK_A}, raw=raw)
    assert first.status == 200
    assert first.body["Documents"] == []
    assert first.headers["x-ms-continuation"]
    # The SDK follows continuations until the rows come, while other requests are served: point reads keep
    # completing before the query does (compared by completion time, not by a count that races the query).
    worker = threading.Thread(target=run)
    worker.start()
    assert _reads_before(container, finished) >= 3
    worker.join(timeout=120)
    assert pages == [[90**3]]


def test_pathological_regex_fails_the_query_without_stalling_other_requests(
    emulator: Emulator, database: DatabaseProxy
) -> None:
    container = database.create_container("regex", PartitionKey("/pk"))
    container.create_item({"id": "probe", "pk": "p"})
    for index in range(3):
        container.create_item({"id": f"r{index}", "pk": "a", "s": "a" * 40 + "b"})
    errors: list[exceptions.CosmosHttpResponseError] = []
    finished: list[float] = []

    def run() -> None:
        try:
            list(container.query_items("SELECT * FROM c WHERE RegexMatch(c.s, '(a|aa)+$')", partition_key="a"))
        except exceptions.CosmosHttpResponseError as error:
            errors.append(error)
        finally:
            finished.append(time.monotonic())

    worker = threading.Thread(target=run)
    worker.start()
    assert _reads_before(container, finished) >= 3
    worker.join(timeout=60)
    assert [error.status_code for error in errors] == [400]
    assert "RegexMatch" in str(errors[0])
