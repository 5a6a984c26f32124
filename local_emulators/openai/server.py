"""The HTTP wire layer: OpenAI's `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`, and a test control plane.

Control plane: `GET /_script/requests` (every request: agent, body, and run_id/index when the step was sent),
`GET /_script/steps` (each step with how often it was requested), `POST /_script/reset` (forget requests and
counters; a body `{"agents": {...}}` also replaces the script).

Several models: besides its default script the server can serve more, each under a model name. A chat request is
answered by the script of the model its body names (`"model"`), and by the default script for any other name, so
two agents configured with two model names get two scripted models from one server. The control plane addresses a
named model's script with `?model=NAME`.

Faults (`POST`/`GET /_script/faults`, see `local_emulators/openai/faults.py`) apply to chat requests of every model.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from local_emulators.openai.backend import ScriptBackend, ScriptedFailure, check_script
from local_emulators.openai.embeddings import embeddings_reply
from local_emulators.openai.errors import BadRequestError, ScriptExhaustedError, ScriptInvalidError
from local_emulators.openai.faults import Fault, FaultSwitch
from local_emulators.openai.steps import Step

AGENT_HEADER = "x-switchboard-agent"
RUN_HEADER = "x-switchboard-run"
STEP_HEADER = "x-switchboard-step"


class ScriptedOpenAIServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one `ScriptBackend`."""

    daemon_threads = True

    def __init__(
        self, host: str, port: int, backend: ScriptBackend, models: Mapping[str, ScriptBackend] | None = None
    ) -> None:
        """Listen on host:port and answer from `backend`, or from `models[name]` for a request naming a model."""
        super().__init__((host, port), _Handler)
        self.backend = backend
        self.models = dict(models or {})
        self.faults = FaultSwitch()

    def backend_for(self, model: object) -> ScriptBackend:
        """The script that answers requests for `model`: its own when served, else the default."""
        return self.models.get(model, self.backend) if isinstance(model, str) else self.backend

    def named(self, query: str) -> ScriptBackend:
        """The backend a control-plane query (`model=NAME`) addresses.

        Raises:
            BadRequestError: The query names a model the server does not serve.
        """
        names = parse_qs(query).get("model")
        if not names:
            return self.backend
        if names[0] not in self.models and names[0] != self.backend.model:
            raise BadRequestError(f"no scripted model {names[0]!r}; serving {self.model_names()}")
        return self.models.get(names[0], self.backend)

    def model_names(self) -> list[str]:
        """Every model id served: the default's first."""
        return [self.backend.model, *(name for name in self.models if name != self.backend.model)]


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedOpenAIServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle on, the client's delayed ACK stalls each reply ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        # One line per request on stderr; bodies (prompts, keys) are never logged.
        sys.stderr.write(f"openai-emulator {self.command} {self.path} {args[1] if len(args) > 1 else ''}\n")

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        path = path.rstrip("/")
        if path in ("/v1/models", "/models"):
            models = [{"id": name, "object": "model", "owned_by": "switchboard"} for name in self.server.model_names()]
            self._json(200, {"object": "list", "data": models})
        elif path in ("/_script/requests", "/_script/steps"):
            try:
                backend = self.server.named(query)
            except BadRequestError as error:
                self._error(404, str(error), "model_not_found")
                return
            if path == "/_script/requests":
                self._json(200, {"requests": backend.requests})
            else:
                self._json(200, {"steps": backend.step_counts()})
        elif path == "/_script/faults":
            self._json(200, self.server.faults.view())
        elif path == "/health":
            self._json(200, {"status": "ok"})
        else:
            self._error(404, f"no route {path}", "not_found")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        path = path.rstrip("/")
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path == "/_script/reset":
            self._reset(raw, query)
            return
        if path == "/_script/faults":
            self._set_faults(raw)
            return
        if path.endswith("/embeddings"):
            self._embeddings(raw)
            return
        if not path.endswith("/chat/completions"):
            self._error(404, f"no route {path}", "not_found")
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise BadRequestError("request body must be a JSON object")
            agent = self.headers.get(AGENT_HEADER) or "*"
            fault = self.server.faults.take()
            if fault is not None and fault.status is not None:
                self._inject_error(fault.status, fault)
                return
            reply = self.server.backend_for(body.get("model")).complete(agent, body, self._step(agent))
            if fault is not None:
                # A slow model: the request is recorded (and its step taken) on arrival, the answer leaves late.
                # This request's own thread waits; the server keeps answering others meanwhile.
                time.sleep(fault.delay_seconds)
        except ValueError:
            self._error(400, "request body is not JSON", "invalid_request_error")
            return
        except BadRequestError as error:
            self._error(400, str(error), "invalid_request_error")
            return
        except ScriptExhaustedError as error:
            # 400 so clients fail at once instead of retrying; the text says what ran out.
            sys.stderr.write(f"openai-emulator SCRIPT EXHAUSTED: {error}\n")
            self._error(400, str(error), "script_exhausted")
            return
        if isinstance(reply, ScriptedFailure):
            headers = {"retry-after": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
            self._error(reply.status, reply.message, "scripted_error", headers)
            return
        self._json(200, reply)

    def _inject_error(self, status: int, fault: Fault) -> None:
        """Answer with the fault's error `status` (after its delay, if any); no script step is consumed."""
        if fault.delay_seconds > 0:
            time.sleep(fault.delay_seconds)
        headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        code = "rate_limit_exceeded" if status == 429 else "server_error"
        self._json(
            status,
            {"error": {"message": fault.message, "type": code, "param": None, "code": code}},
            headers,
        )

    def _set_faults(self, raw: bytes) -> None:
        try:
            body = json.loads(raw) if raw.strip() else {}
            view = self.server.faults.configure(body)
        except (ValueError, BadRequestError) as error:
            self._error(400, str(error), "invalid_request_error")
            return
        self._json(200, view)

    def _embeddings(self, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise BadRequestError("request body must be a JSON object")
            reply = embeddings_reply(body, self.server.backend.model)
        except ValueError:
            self._error(400, "request body is not JSON", "invalid_request_error")
            return
        except BadRequestError as error:
            self._error(400, str(error), "invalid_request_error")
            return
        self._json(200, reply)

    def _step(self, agent: str) -> Step | None:
        run_id, index = self.headers.get(RUN_HEADER), self.headers.get(STEP_HEADER)
        if run_id is None and index is None:
            return None
        if not run_id or index is None or not index.isdigit():
            raise BadRequestError(f"{RUN_HEADER} and {STEP_HEADER} (a number) must be sent together")
        return Step(run_id=run_id, agent=agent, index=int(index))

    def _reset(self, raw: bytes, query: str) -> None:
        try:
            backend = self.server.named(query)
            body = json.loads(raw) if raw.strip() else {}
            agents = check_script(body, "reset body") if body else None
        except (ValueError, ScriptInvalidError, BadRequestError) as error:
            self._error(400, str(error), "invalid_request_error")
            return
        backend.reset(agents)
        self._json(200, {"reset": True})

    def _error(self, status: int, message: str, code: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": code, "code": code}}, headers)

    def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
