"""Pre- and post-triggers named by `x-ms-documentdb-pre/post-trigger-include` around item writes.

A pre-trigger may rewrite the request body (`getRequest().setBody`); a post-trigger sees the stored item
(`getResponse().getBody()`). Writes the triggers make commit only once the whole operation succeeded; a
post-trigger that throws puts the item back as it was, so the operation has no effect.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from local_emulators.cosmos.backend.documents import ContainerWrite
from local_emulators.cosmos.errors import BadRequestError
from local_emulators.cosmos.handlers.common import Context, dumps
from local_emulators.cosmos.scripting.runtime import Partition, run_script
from local_emulators.cosmos.wire import Response

Handler = Callable[[Context], Response]


def _names(ctx: Context, header: str) -> list[str]:
    return [name.strip() for name in (ctx.header(header) or "").split(",") if name.strip()]


def _run(ctx: Context, partition: Partition, names: list[str], kind: str, operation: str, body: object) -> object:
    container = partition.write.container
    for name in names:
        trigger = ctx.state.scripts.get(container, "triggers", name)
        if trigger["triggerType"] != kind or trigger["triggerOperation"] not in ("All", operation):
            raise BadRequestError(
                f"Trigger '{name}' is a {trigger['triggerType']}-trigger for {trigger['triggerOperation']};"
                f" it cannot run as a {kind}-trigger of {operation}."
            )
        outcome = run_script(
            partition,
            str(trigger["body"]),
            [],
            self_link=container.self_link,
            request=body if kind == "Pre" else None,
            response=body if kind == "Post" else None,
        )
        if kind == "Pre":
            body = outcome.request
    return body


def with_triggers(operation: str, handler: Handler) -> Handler:
    """Wrap an item write handler (`Create`, `Replace` or `Delete`) so it runs the requested triggers."""

    def run(ctx: Context) -> Response:
        pre = _names(ctx, "x-ms-documentdb-pre-trigger-include")
        post = _names(ctx, "x-ms-documentdb-post-trigger-include")
        if not pre and not post:
            return handler(ctx)
        container = ctx.container()
        body: object = ctx.body_object() if operation != "Delete" else None
        write = ContainerWrite(container)
        pk, components = write.key_for(ctx.partition_key(), body if isinstance(body, dict) else None)
        partition = Partition(write, pk, components, ctx.state.queries)
        if pre:
            body = _run(ctx, partition, pre, "Pre", operation, body)
            if operation != "Delete":
                if not isinstance(body, dict):
                    raise BadRequestError("A pre-trigger must leave the request body a JSON object.")
                ctx.request.body = dumps(body)
        item_id = str(body.get("id")) if isinstance(body, dict) else ctx.segments[5]
        previous = container.partitions.get(pk, {}).get(item_id)
        response = handler(ctx)
        if post:
            stored = json.loads(response.body) if response.body else None
            try:
                _run(ctx, partition, post, "Post", operation, stored)
            except Exception:
                undo = ContainerWrite(container)
                undo.staged[(pk, item_id)] = previous
                ctx.state.documents.commit(undo)
                raise
        ctx.state.documents.commit(write)
        return response

    return run
