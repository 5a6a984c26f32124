"""Run the sessions emulator: `python -m local_emulators sessions --port P --data-dir D`."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from local_emulators.sessions.app import build_app
from local_emulators.sessions.auth import DEFAULT_TOKEN
from local_emulators.sessions.backend import BackendSettings, SessionsBackend
from local_emulators.sessions.models import MAX_TIMEOUT_SECONDS
from local_emulators.sessions.sandbox import SandboxLimits, SandboxMissingError, check_sandbox

DEFAULT_PORT = 8091


def parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators sessions",
        description=(
            "Emulator of the Azure Container Apps dynamic sessions (Python code interpreter) data plane: each "
            "session runs a stateful Python kernel in a bubblewrap sandbox with /mnt/data as its only writable path."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", type=Path, default=Path(".data") / "sessions", help="sessions' files")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="static bearer token accepted besides Entra-shaped JWTs")
    parser.add_argument("--cooldown", type=float, default=300.0, help="idle seconds before a session is deleted")
    parser.add_argument("--default-timeout", type=float, default=60.0, help="seconds per execution when unasked")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of each session's kernel")
    parser.add_argument("--max-code-bytes", type=int, default=1024 * 1024, help="largest code accepted")
    parser.add_argument("--max-output-chars", type=int, default=1024 * 1024, help="stdout/stderr kept per execution")
    parser.add_argument("--allow-egress", action="store_true", help="give sessions network access (default: none)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Check the sandbox, then serve until interrupted."""
    command = parser()
    args = command.parse_args(argv)
    if not 0 < args.default_timeout <= MAX_TIMEOUT_SECONDS:
        command.error(f"--default-timeout must be in (0, {MAX_TIMEOUT_SECONDS}] seconds")
    if args.cooldown <= 0 or args.memory_mb <= 0 or args.max_code_bytes <= 0 or args.max_output_chars <= 0:
        command.error("--cooldown, --memory-mb, --max-code-bytes and --max-output-chars must be positive")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            check_sandbox(Path(scratch))
    except SandboxMissingError as error:
        print(f"sessions-emulator: refusing to start: {error}", file=sys.stderr)
        return 2
    settings = BackendSettings(
        cooldown_seconds=args.cooldown,
        default_timeout=args.default_timeout,
        max_code_bytes=args.max_code_bytes,
        max_output_chars=args.max_output_chars,
        limits=SandboxLimits(memory_bytes=args.memory_mb * 1024 * 1024, egress=args.allow_egress),
    )
    backend = SessionsBackend(args.data_dir, settings)
    app = build_app(backend, args.token, sweep_seconds=min(max(args.cooldown / 4, 0.2), 30.0))
    print(f"sessions-emulator: serving on http://{args.host}:{args.port}/", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
