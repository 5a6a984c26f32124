"""The Azure Functions app. Composition only: it wires framework and agents to triggers, and holds no logic.

`func start` (Core Tools) and the Azure Functions Python worker load this module and index `app`. The Service
Bus–triggered function per agent arrives with the hosting layer; today the app serves its health endpoint.
"""

from __future__ import annotations

import json

import azure.functions as func

import switchboard

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)


@app.function_name("health")
@app.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    """Report that the app is up, with the framework version (no secrets, no dependencies probed)."""
    body = {"status": "ok", "switchboard": switchboard.__version__}
    return func.HttpResponse(json.dumps(body), status_code=200, mimetype="application/json")
