"""Run the scripted OpenAI-compatible server: `python -m local_emulators.openai --script FILE --port N`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from local_emulators.openai.backend import ScriptBackend, load_script
from local_emulators.openai.errors import OpenAIEmulatorError
from local_emulators.openai.server import ScriptedOpenAIServer


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load the script and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m local_emulators.openai", description=__doc__)
    parser.add_argument("--script", type=Path, required=True, help="JSON script of replies per agent")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--model", default="scripted", help="model id to report")
    args = parser.parse_args(argv)
    try:
        backend = ScriptBackend(load_script(args.script), model=args.model)
    except OpenAIEmulatorError as error:
        print(f"openai-emulator: {error}", file=sys.stderr)
        return 2
    server = ScriptedOpenAIServer(args.host, args.port, backend)
    print(f"openai-emulator: serving {args.script} on http://{args.host}:{args.port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
