"""URL routing: from a request's verb and path shape to its handler, plus auth, faults and error mapping."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from local_emulators.cosmos.auth import MasterKeyAuth
from local_emulators.cosmos.backend.state import AccountState
from local_emulators.cosmos.control import CONTROL_PREFIX, FaultInjector, handle_control
from local_emulators.cosmos.errors import BadRequestError, CosmosEmulatorError, MethodNotAllowedError, NotFoundError
from local_emulators.cosmos.handlers import (
    account,
    batch,
    changefeed,
    conflicts,
    containers,
    databases,
    items,
    offers,
    pkranges,
    queries,
    scripts,
    users,
)
from local_emulators.cosmos.handlers.common import Context
from local_emulators.cosmos.scripting.access import check_request, is_resource_token
from local_emulators.cosmos.scripting.triggers import with_triggers
from local_emulators.cosmos.wire import Request, Response, json_response

LOG = logging.getLogger("local_emulators.cosmos")
HandlerFn = Callable[[Context], Response]


def _docs_post(ctx: Context) -> Response:
    if ctx.flag("x-ms-cosmos-is-query-plan-request"):
        return queries.query_plan(ctx)
    if ctx.flag("x-ms-cosmos-is-batch-request"):
        return batch.execute_batch(ctx)
    if queries.is_query(ctx):
        return queries.query_items(ctx)
    return _create_with_triggers(ctx)


_create_with_triggers = with_triggers("Create", items.create_or_upsert)


def _docs_get(ctx: Context) -> Response:
    return changefeed.read_change_feed(ctx) if changefeed.is_change_feed(ctx) else items.read_feed(ctx)


def _feed_post(create: HandlerFn, query: HandlerFn) -> HandlerFn:
    return lambda ctx: query(ctx) if queries.is_query(ctx) else create(ctx)


# Keyed by the path's shape: its segments with ids replaced by "*".
_ROUTES: dict[str, dict[str, HandlerFn]] = {
    "": {"GET": account.get_account},
    "dbs": {
        "GET": databases.list_or_query,
        "POST": _feed_post(databases.create, databases.list_or_query),
    },
    "dbs/*": {"GET": databases.read, "DELETE": databases.delete},
    "dbs/*/colls": {
        "GET": containers.list_or_query,
        "POST": _feed_post(containers.create, containers.list_or_query),
    },
    "dbs/*/colls/*": {"GET": containers.read, "PUT": containers.replace, "DELETE": containers.delete},
    "dbs/*/colls/*/docs": {"GET": _docs_get, "POST": _docs_post},
    "dbs/*/colls/*/docs/*": {
        "GET": items.read,
        "PUT": with_triggers("Replace", items.replace),
        "PATCH": items.patch,
        "DELETE": with_triggers("Delete", items.delete),
    },
    "dbs/*/colls/*/pkranges": {"GET": pkranges.read_ranges},
    "dbs/*/colls/*/conflicts": {"GET": conflicts.list_or_query, "POST": conflicts.list_or_query},
    "dbs/*/colls/*/conflicts/*": {"GET": conflicts.read_or_delete, "DELETE": conflicts.read_or_delete},
    "dbs/*/colls/*/operations/partitionkeydelete": {"POST": items.delete_by_partition_key},
    **{
        f"dbs/*/colls/*/{family}": {"GET": scripts.list_or_create, "POST": scripts.list_or_create}
        for family in ("sprocs", "triggers", "udfs")
    },
    **{
        f"dbs/*/colls/*/{family}/*": {
            "GET": scripts.read_replace_delete,
            "PUT": scripts.read_replace_delete,
            "DELETE": scripts.read_replace_delete,
            **({"POST": scripts.execute} if family == "sprocs" else {}),
        }
        for family in ("sprocs", "triggers", "udfs")
    },
    "dbs/*/users": {"GET": users.users_feed, "POST": users.users_feed},
    "dbs/*/users/*": {"GET": users.user, "PUT": users.user, "DELETE": users.user},
    "dbs/*/users/*/permissions": {"GET": users.permissions_feed, "POST": users.permissions_feed},
    "dbs/*/users/*/permissions/*": {"GET": users.permission, "PUT": users.permission, "DELETE": users.permission},
    "offers": {"GET": offers.list_or_query, "POST": offers.list_or_query},
    "offers/*": {"GET": offers.read, "PUT": offers.replace},
}


_UNSUPPORTED = {"attachments"}


def _refuse_unsupported(segments: list[str]) -> None:
    """Say plainly that a resource family is not emulated; a 404 would read as "your resource is missing"."""
    family = segments[4] if len(segments) in (5, 6) else segments[2] if len(segments) in (3, 4) else ""
    if family in _UNSUPPORTED:
        raise BadRequestError(f"'{family}' resources are not supported.")


def _shape(segments: list[str]) -> str:
    # Even positions are resource-type names, odd positions are ids, except the operations suffix.
    shape = ["*" if index % 2 else segment for index, segment in enumerate(segments)]
    if len(segments) == 6 and segments[4] == "operations":
        shape[5] = segments[5]
    return "/".join(shape)


class CosmosApp:
    """The request handler the server calls: control plane, fault injection, auth, routing, errors.

    Args:
        state: The account served.
        key: The master key clients sign with.
        check_date: Reject signatures whose date is more than 15 minutes off.
    """

    def __init__(self, state: AccountState, key: str, *, check_date: bool = True) -> None:
        self.state = state
        self.auth = MasterKeyAuth(key, check_date=check_date)
        self.faults = FaultInjector()

    def __call__(self, request: Request) -> Response:
        """Answer one request; every failure becomes the SDK's error shape."""
        activity_id = request.headers.get("x-ms-activity-id") or str(uuid.uuid4())
        try:
            response = self._dispatch(request)
        except CosmosEmulatorError as exc:
            body = {"code": exc.code, "message": exc.message, **exc.extra_body()}
            headers = {"x-ms-substatus": str(exc.substatus), "x-ms-request-charge": "0", **exc.extra_headers()}
            response = json_response(exc.status, body, headers)
        except Exception:
            LOG.exception("unexpected error on %s %s", request.method, request.path)
            response = json_response(500, {"code": "InternalServerError", "message": "emulator bug; see its log"})
        response.headers["x-ms-activity-id"] = activity_id
        response.headers["x-ms-gatewayversion"] = "version=2.14.0"
        # The gateway names the URL that served the request (the SDK's global-endpoint tests read it).
        response.headers["content-location"] = f"{request.scheme}://{request.headers.get('host', '')}{request.raw_path}"
        if LOG.isEnabledFor(logging.DEBUG):
            # Method, path and status only: headers carry the authorization signature.
            LOG.debug("%s %s -> %s", request.method, request.path, response.status)
        return response

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith(CONTROL_PREFIX):
            return handle_control(request, self.state, self.faults)
        segments = [segment for segment in path.strip("/").split("/") if segment] if path.strip("/") else []
        if segments:
            self.faults.check()
        named = self.state.catalog.by_name(segments)  # rid-based links as ids, for the token check and the handler
        if is_resource_token(request.headers):
            check_request(self.state.access.grant_for(request.headers), request, named)
        else:
            self.auth.verify(request.method, path, request.headers)
        methods = _ROUTES.get(_shape(segments))
        if methods is None:
            _refuse_unsupported(segments)
            raise NotFoundError(f"No resource at path '{path}'.")
        handler = methods.get(request.method)
        if handler is None:
            raise MethodNotAllowedError(f"{request.method} is not supported on '{path}'.")
        return handler(Context(request=request, segments=named, state=self.state))
