"""Run the scripted OpenAI-compatible server: `python -m local_emulators.openai --script FILE --port N`.

`--model-script NAME=FILE` (repeatable) serves a second script as model NAME: requests whose body names that model
are answered from it, every other request from `--script`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from local_emulators.openai.backend import ScriptBackend, load_script
from local_emulators.openai.errors import OpenAIEmulatorError, ScriptInvalidError
from local_emulators.openai.server import ScriptedOpenAIServer


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the script and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m local_emulators.openai", description=__doc__)
    parser.add_argument("--script", type=Path, required=True, help="JSON script of replies per agent")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--model", default="scripted", help="model id to report")
    parser.add_argument(
        "--model-script",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="also serve FILE as model NAME (for requests naming it); repeatable",
    )
    args = parser.parse_args(argv)
    try:
        backend = ScriptBackend(load_script(args.script), model=args.model)
        models = dict(_named_script(value) for value in args.model_script)
    except OpenAIEmulatorError as error:
        print(f"openai-emulator: {error}", file=sys.stderr)
        return 2
    server = ScriptedOpenAIServer(args.host, args.port, backend, models)
    print(f"openai-emulator: serving {args.script} on http://{args.host}:{args.port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _named_script(value: str) -> tuple[str, ScriptBackend]:
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise ScriptInvalidError(f"--model-script takes NAME=FILE, got {value!r}")
    return name, ScriptBackend(load_script(Path(path)), model=name)


if __name__ == "__main__":
    sys.exit(main())
