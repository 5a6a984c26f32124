"""`python -m local_emulators up`: start every emulator, create the deployment's entities, print the settings."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from local_emulators.entities_file import EntityFile, load_entities, write_servicebus_config
from local_emulators.launcher import EmulatorGroup, LaunchError, default_specs
from local_emulators.provision import create_cosmos_entities, write_local_settings
from local_emulators.registry_entities import registry_entities

DEFAULT_ENTITIES = Path("infra") / "entities.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_emulators",
        description=(
            "Local emulators of Azure Service Bus, Cosmos DB, Application Insights and Container Apps dynamic "
            "sessions that the unmodified Azure SDKs connect to."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up",
        help="start all emulators with the deployment's entities, print their settings, stop them on Ctrl-C",
        description=(
            "Start all emulators as separate processes, create every queue, topic, subscription and Cosmos "
            "container of the entity list, and keep them running until Ctrl-C or SIGTERM."
        ),
    )
    up.add_argument("--host", default="127.0.0.1", help="address every emulator binds (default 127.0.0.1)")
    up.add_argument("--servicebus-port", type=int, default=5672, help="Service Bus AMQP port (default 5672)")
    up.add_argument("--cosmos-port", type=int, default=8081, help="Cosmos DB HTTP/HTTPS port (default 8081)")
    up.add_argument(
        "--appinsights-port",
        type=int,
        default=8087,
        help="Application Insights ingestion and run pages port (default 8087)",
    )
    up.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".data"),
        help="where each emulator keeps its data and log (default .data)",
    )
    up.add_argument(
        "--entities",
        type=Path,
        default=None,
        help=(
            "entity list written by 'switchboard infra entities' (default: in a folder with function_app.py, the "
            f"list its registry needs, as 'python -m switchboard infra entities' prints it; else {DEFAULT_ENTITIES} "
            "when it exists; without one Service Bus starts with its bundled demo entities and no Cosmos container "
            "is created)"
        ),
    )
    up.add_argument(
        "--sessions-port",
        type=int,
        default=8091,
        help="Container Apps dynamic sessions (code interpreter) port (default 8091)",
    )
    up.add_argument("--model-script", type=Path, help="also start the scripted OpenAI-compatible model on this script")
    up.add_argument("--model-port", type=int, default=8089, help="scripted model port (default 8089)")
    up.add_argument(
        "--write-settings",
        type=Path,
        metavar="PATH",
        help="write the settings into this local.settings.json (for 'switchboard host' and 'func start')",
    )
    commands.add_parser(
        "sessions",
        add_help=False,
        help="run only the Container Apps dynamic sessions emulator (see 'sessions --help')",
    )
    return parser


def _entities(path: Path | None, data_dir: Path) -> EntityFile | None:
    if path is not None:
        return load_entities(path)
    # In an app's folder, the registry decides: a team added there gets its queues even before the file is rewritten.
    generated, note = registry_entities(Path.cwd(), data_dir / "registry-entities.json")
    if note is not None:
        print(f"note: {note}", flush=True)
    if generated is not None:
        return load_entities(generated)
    if DEFAULT_ENTITIES.is_file():
        return load_entities(DEFAULT_ENTITIES)
    print(f"note: no {DEFAULT_ENTITIES} here; Service Bus starts with its bundled demo entities", flush=True)
    return None


def _start(args: argparse.Namespace) -> EmulatorGroup:
    entities = _entities(args.entities, args.data_dir)
    config = write_servicebus_config(entities, args.data_dir / "servicebus-config.json") if entities else None
    group = EmulatorGroup(
        default_specs(
            servicebus_port=args.servicebus_port,
            cosmos_port=args.cosmos_port,
            servicebus_config=config,
            model_script=args.model_script,
            model_port=args.model_port,
            appinsights_port=args.appinsights_port,
            sessions_port=args.sessions_port,
        ),
        host=args.host,
        data_dir=args.data_dir,
    )
    group.start()
    if entities is not None:
        settings = group.settings()
        try:
            created = create_cosmos_entities(settings["COSMOS_ENDPOINT"], settings["COSMOS_KEY"], entities)
        except LaunchError:
            group.stop()
            raise
        print(f"entities: {', '.join(entities.entity_names())}; cosmos: {', '.join(created)}", flush=True)
    return group


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sessions"]:
        from local_emulators.sessions.__main__ import main as sessions_main

        return sessions_main(argv[1:])
    args = _parser().parse_args(argv)
    started = time.monotonic()
    try:
        group = _start(args)
        if args.write_settings is not None:
            write_local_settings(args.write_settings, group.settings())
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"emulators ready in {time.monotonic() - started:.2f}s; logs in {args.data_dir}/", flush=True)
    for name, value in group.settings().items():
        print(f"{name}={value}", flush=True)
    appinsights = next(spec for spec in group.specs if spec.name == "appinsights")
    print(f"runs and traces: http://{args.host}:{appinsights.port}/", flush=True)
    if args.write_settings is not None:
        print(f"settings written to {args.write_settings}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in group.processes.values()):
            time.sleep(0.5)
        print("error: an emulator stopped unexpectedly", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        group.stop()


if __name__ == "__main__":
    sys.exit(main())
