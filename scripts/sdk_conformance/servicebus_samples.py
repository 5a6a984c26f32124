"""Run Microsoft's own azure-servicebus samples against our Service Bus emulator and print a pass/fail table.

Usage: ``python scripts/sdk_conformance/servicebus_samples.py [--only NAME ...] [--per-sample-timeout S]``

The source archive of the installed azure-servicebus version is downloaded from PyPI once into
``.cache/sdk/`` (``pip download --no-binary``; never committed). The emulator is started as a real process
on free loopback ports with the entities the samples expect, and every sample in ``samples/sync_samples``
and ``samples/async_samples`` runs as a script with a timeout; it passes when it exits 0.

Since 7.15 almost every sample signs in with Microsoft Entra ID (``DefaultAzureCredential`` with
``SERVICEBUS_FULLY_QUALIFIED_NAMESPACE``), which nothing local can stand in for. A ``sitecustomize``
written next to the samples therefore makes two substitutions, and nothing else:

* ``azure.identity``'s ``DefaultAzureCredential`` (sync and aio) becomes the namespace's shared access key;
* a client built for the emulator's namespace gets what ``UseDevelopmentEmulator=true`` gives a
  connection string: plain AMQP on the given port (``use_tls=False``), and for the administration
  client the SAS key policy.

The administration client always speaks HTTPS to the namespace's host and port; the emulator's certificate is
trusted through ``REQUESTS_CA_BUNDLE`` (requests) and ``SSL_CERT_FILE`` (aiohttp), set to certifi's bundle plus
the emulator's certificate, as a user would.

The SDK's own test suite (``tests/``) is not run: every test builds its namespace through Azure Resource
Manager preparers (``azure-mgmt-servicebus`` and Microsoft's repo-internal ``devtools_testutils``).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from sdk_archive import sdk_source

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / ".cache" / "sdk"
KEY_NAME = "RootManageSharedAccessKey"
KEY = "SAS_KEY_VALUE"
QUEUE, SESSION_QUEUE, TOPIC, SUBSCRIPTION = "samples-queue", "samples-session-queue", "samples-topic", "samples-sub"
CERT_FILE = "servicebus-emulator.crt"
# Samples that cannot run against any local emulator, and why.
NOT_APPLICABLE = {
    "client_identity_authentication": "signs in with EnvironmentCredential: a service principal in an Entra ID tenant",
    "proxy": "needs an HTTP proxy at 127.0.0.1:8899 (AMQP over WebSockets through it)",
    "connection_to_custom_endpoint_address": "placeholders to edit: <custom_endpoint_hostname>, a CA bundle path",
}
# Samples that iterate a receiver with no max_wait_time: they never exit, on Azure either. Each runs for
# ENDLESS_SECONDS and passes when it is still running then without having printed a traceback.
ENDLESS = {"receive_iterator_queue", "failure_and_recovery"}
ENDLESS_SECONDS = 15
# Samples that sleep on purpose longer than the default timeout (auto_lock_renew: 100 + 100 + 80 s; its
# async twin: 4 x 100 + 80 s).
SLOW = {"auto_lock_renew": 420, "auto_lock_renew_async": 600}
# Entity properties as Azure's defaults (MaxDeliveryCount 10, TTL forever), which the samples assume.
CONFIG = """{"UserConfig": {"Namespaces": [{"Name": "sbemulatorns",
  "Queues": [
    {"Name": "%(queue)s", "Properties": {"MaxDeliveryCount": 10, "DefaultMessageTimeToLive": "P14D"}},
    {"Name": "%(session)s", "Properties": {"MaxDeliveryCount": 10, "RequiresSession": true,
      "DefaultMessageTimeToLive": "P14D"}}],
  "Topics": [{"Name": "%(topic)s", "Properties": {"DefaultMessageTimeToLive": "P14D"},
    "Subscriptions": [{"Name": "%(subscription)s", "Properties": {"MaxDeliveryCount": 10,
      "DefaultMessageTimeToLive": "P14D"}}]}]}],
  "Logging": {"Type": "Console"}}}
"""
SITECUSTOMIZE = '''"""Written by servicebus_samples.py: Entra ID -> the emulator's SAS key; no TLS for AMQP."""
import os


def _install():
    namespace = os.environ["SERVICEBUS_FULLY_QUALIFIED_NAMESPACE"].lower()
    key_name, key = os.environ["SERVICEBUS_SAS_POLICY"], os.environ["SERVICEBUS_SAS_KEY"]
    import azure.identity
    import azure.identity.aio
    from azure.core.credentials import AzureNamedKeyCredential
    from azure.servicebus import ServiceBusClient
    from azure.servicebus._base_handler import ServiceBusSharedKeyCredential
    from azure.servicebus.aio import ServiceBusClient as AsyncServiceBusClient
    from azure.servicebus.aio._base_handler_async import ServiceBusSharedKeyCredential as AsyncSharedKey
    from azure.servicebus.aio.management import ServiceBusAdministrationClient as AsyncAdmin
    from azure.servicebus.management import ServiceBusAdministrationClient

    class EmulatorCredential(AzureNamedKeyCredential):
        def __init__(self, *args, **kwargs):
            super().__init__(key_name, key)

        def close(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

    class AsyncEmulatorCredential(AzureNamedKeyCredential):
        def __init__(self, *args, **kwargs):
            super().__init__(key_name, key)

        async def close(self):
            pass

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            pass

    azure.identity.DefaultAzureCredential = EmulatorCredential
    azure.identity.aio.DefaultAzureCredential = AsyncEmulatorCredential

    def is_emulator(fully_qualified_namespace):
        return fully_qualified_namespace.strip().lower().split("://")[-1].rstrip("/") == namespace

    def patch(cls, shared_key=None):
        original = cls.__init__

        def __init__(self, fully_qualified_namespace, credential=None, **kwargs):
            if is_emulator(fully_qualified_namespace):
                if shared_key is None:
                    kwargs.setdefault("use_tls", False)
                elif isinstance(credential, AzureNamedKeyCredential):
                    credential = shared_key(credential.named_key.name, credential.named_key.key)
            original(self, fully_qualified_namespace, credential, **kwargs)

        cls.__init__ = __init__

    patch(ServiceBusClient)
    patch(AsyncServiceBusClient)
    patch(ServiceBusAdministrationClient, ServiceBusSharedKeyCredential)
    patch(AsyncAdmin, AsyncSharedKey)


_install()
'''
# Stand-ins for Microsoft's repo-internal test tools (not on PyPI): preparers that pass the SERVICEBUS_* values
# of the environment, no recording, and the namespace's key as the credential. Anything else is inert.
DEVTOOLS = {
    "devtools_testutils/__init__.py": """import functools, inspect, os


class _Inert:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, function=None, *args, **kwargs):
        return function


def __getattr__(name):
    return _Inert


def _identity(function):
    return function


recorded_by_proxy = _identity


class AzureMgmtRecordedTestCase:
    pass


AzureRecordedTestCase = AzureMgmtRecordedTestCase


def get_credential(is_async=False, **kwargs):
    from azure.identity import DefaultAzureCredential
    from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential

    return AsyncDefaultAzureCredential() if is_async else DefaultAzureCredential()


class PowerShellPreparer:
    def __init__(self, name_prefix, **fakes):
        self.values = {key: os.environ.get(key.upper(), fake) for key, fake in fakes.items()}

    def __call__(self, function):
        parameters = inspect.signature(function).parameters.values()
        values = self.values
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            values = {key: value for key, value in values.items() if key in {p.name for p in parameters}}
        # No functools.wraps: pytest must not see the injected names as fixtures.
        if inspect.iscoroutinefunction(function):
            async def wrapper(*args, **kwargs):
                return await function(*args, **{**values, **kwargs})
        else:
            def wrapper(*args, **kwargs):
                return function(*args, **{**values, **kwargs})
        wrapper.__name__, wrapper.__qualname__ = function.__name__, function.__qualname__
        return wrapper
""",
    "devtools_testutils/aio.py": "def recorded_by_proxy_async(function):\n    return function\n",
    "devtools_testutils/sanitizers.py": "def __getattr__(name):\n    return lambda *args, **kwargs: None\n",
    "devtools_testutils/resource_testcase.py": "RESOURCE_GROUP_PARAM = 'resource_group'\n",
    "devtools_testutils/plugin.py": (
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef test_proxy():\n    return None\n"
    ),
}
# servicebus_preparer.py imports the Azure Resource Manager SDKs at module level; inert stand-ins let it load.
ARM_STUBS = {
    f"azure/mgmt/{name}": (
        "class _Meta(type):\n    def __getattr__(cls, name):\n        return cls\n\n\n"
        "class _Anything(metaclass=_Meta):\n    def __init__(self, *args, **kwargs):\n        pass\n\n\n"
        "def __getattr__(name):\n    return _Anything\n"
    )
    for name in ("resource/__init__.py", "servicebus/__init__.py", "servicebus/models.py")
}
PYTEST_INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = ignore\n"
RESULT_LINE = re.compile(r"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)")
READY = re.compile(rb"amqp://[^:\s]+:(\d+)")


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start our emulator with the samples' entities; return it and its AMQP port once it is ready."""
    config = workdir / "config.json"
    names = {"queue": QUEUE, "session": SESSION_QUEUE, "topic": TOPIC, "subscription": SUBSCRIPTION}
    config.write_text(CONFIG % names)
    port = free_port()
    command = [sys.executable, "-m", "local_emulators.servicebus", "--port", str(port), "--control-port", "0"]
    command += ["--config", str(config), "--data-dir", str(workdir / "data"), "--log-level", "WARNING"]
    log_path = workdir / "emulator.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if READY.search(log_path.read_bytes()):
            return process, port
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the emulator did not start; see {log_path}")


def trust_bundle(workdir: Path) -> Path | None:
    """Write certifi's CA bundle plus the emulator's certificate, or return None when there is no certificate."""
    cert = workdir / "data" / CERT_FILE
    deadline = time.monotonic() + 5  # the emulator writes it just after it is ready
    while not cert.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not cert.exists():
        return None
    import certifi  # requests' own bundle; installed with azure-core

    bundle = workdir / "ca-bundle.pem"
    bundle.write_text(Path(certifi.where()).read_text() + "\n" + cert.read_text())
    return bundle


def samples_env(port: int, workdir: Path, shim: Path) -> dict[str, str]:
    """The environment variables the samples read, pointed at the emulator."""
    env = dict(os.environ)
    env.update(
        SERVICEBUS_CONNECTION_STR=(
            f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName={KEY_NAME};SharedAccessKey={KEY};"
            "UseDevelopmentEmulator=true;"
        ),
        SERVICEBUS_FULLY_QUALIFIED_NAMESPACE=f"127.0.0.1:{port}",
        SERVICEBUS_QUEUE_NAME=QUEUE,
        SERVICEBUS_SESSION_QUEUE_NAME=SESSION_QUEUE,
        SERVICEBUS_TOPIC_NAME=TOPIC,
        SERVICEBUS_SUBSCRIPTION_NAME=SUBSCRIPTION,
        SERVICEBUS_SESSION_ID="session-1",
        SERVICEBUS_SAS_POLICY=KEY_NAME,
        SERVICEBUS_SAS_KEY=KEY,
        PYTHONPATH=os.pathsep.join([str(shim), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        PYTHONUNBUFFERED="1",
    )
    bundle = trust_bundle(workdir)
    if bundle is not None:
        env.update(REQUESTS_CA_BUNDLE=str(bundle), SSL_CERT_FILE=str(bundle))
    return env


def run_samples(source: Path, env: dict[str, str], workdir: Path, per_sample: int, only: list[str]) -> Counter[str]:
    """Run every sample script with a timeout, printing one row each; a sample passes when it exits 0."""
    outcomes: Counter[str] = Counter()
    scripts = sorted((source / "samples").glob("*_samples/*.py"), key=lambda p: (p.parent.name != "sync_samples", p))
    for sample in scripts:
        name = f"{sample.parent.name.removesuffix('_samples')}/{sample.name}"
        if only and not any(word in name for word in only):
            continue
        reason = NOT_APPLICABLE.get(sample.stem.removesuffix("_async"))
        if reason is not None:
            outcomes["N/A"] += 1
            print(f"  {'N/A':<8} {name:<62} {reason}", flush=True)
            continue
        log = workdir / f"{sample.parent.name}-{sample.stem}.log"
        stem = sample.stem.removesuffix("_async")
        endless = stem in ENDLESS
        started = time.monotonic()
        try:
            with log.open("w") as out:
                code = subprocess.run(
                    [sys.executable, sample.name],
                    cwd=sample.parent,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=ENDLESS_SECONDS if endless else SLOW.get(sample.stem, per_sample),
                ).returncode
            result = "PASSED" if code == 0 else "FAILED"
        except subprocess.TimeoutExpired:
            result = "TIMEOUT"
            if endless and "Traceback" not in log.read_text(errors="replace"):
                result = "PASSED"  # still receiving, as it would on Azure
        outcomes[result] += 1
        detail = "" if result == "PASSED" else f"  {log}"
        print(f"  {result:<8} {name:<62} {time.monotonic() - started:5.1f} s{detail}", flush=True)
    return outcomes


def run_tests(source: Path, env: dict[str, str], workdir: Path, paths: list[str], per_test: int) -> Counter[str]:
    """Run the SDK's tests under ``paths`` in one pytest process; return counts by outcome."""
    ini = workdir / "pytest.ini"
    ini.write_text(PYTEST_INI)
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(source / "tests"), "-v"]
    command += ["-p", "no:cacheprovider", "-p", "devtools_testutils.plugin", f"--timeout={per_test}", *paths]
    outcomes: Counter[str] = Counter()
    report = workdir / "tests.log"
    with report.open("w") as log:
        process = subprocess.Popen(
            command, cwd=source / "tests", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if line.startswith("ERROR collecting"):
                outcomes["ERROR"] += 1
                print(f"  {line.strip()}", flush=True)
            match = RESULT_LINE.match(line)
            if match:
                outcomes[match.group(2)] += 1
                if match.group(2) in ("FAILED", "ERROR"):
                    print(f"  {match.group(2):<8} {match.group(1)}", flush=True)
        process.wait()
    print(f"full pytest log: {report}")
    return outcomes


def main() -> int:
    """Start the emulator, run the samples, print the table and the totals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="run only samples whose path contains one of these")
    parser.add_argument("--per-sample-timeout", type=int, default=90)
    parser.add_argument(
        "--tests",
        nargs="*",
        default=None,
        help="run the SDK's tests instead of its samples (default paths: the management tests, which read the "
        "namespace from the environment; the others create entities through Azure Resource Manager)",
    )
    parser.add_argument("--per-test-timeout", type=int, default=120)
    args = parser.parse_args()
    source = sdk_source("azure-servicebus", CACHE, marker="samples")
    workdir = Path(tempfile.mkdtemp(prefix="servicebus-sdk-"))  # logs stay, so failures can be read
    shim = workdir / "shim"
    for relative, text in {"sitecustomize.py": SITECUSTOMIZE, **DEVTOOLS, **ARM_STUBS}.items():
        (shim / relative).parent.mkdir(parents=True, exist_ok=True)
        (shim / relative).write_text(text)
    emulator, port = start_emulator(workdir)
    try:
        env = samples_env(port, workdir, shim)
        what = "tests" if args.tests is not None else "samples"
        print(f"azure-servicebus {version('azure-servicebus')} {what} against our emulator on port {port}")
        print(f"logs in {workdir}", flush=True)
        if args.tests is not None:
            counts = run_tests(source, env, workdir, args.tests or ["mgmt_tests"], args.per_test_timeout)
        else:
            counts = run_samples(source, env, workdir, args.per_sample_timeout, args.only)
    finally:
        emulator.terminate()
        emulator.wait(timeout=15)
    if args.tests is not None:
        details = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
        print(f"tests: {counts['PASSED']} passed ({details})")
        return 0 if counts["FAILED"] + counts["ERROR"] == 0 else 1
    ran = counts["PASSED"] + counts["FAILED"] + counts["TIMEOUT"]
    print(
        f"samples: {counts['PASSED']}/{ran} passed, {counts['FAILED']} failed, {counts['TIMEOUT']} timed out, "
        f"{counts['N/A']} not applicable"
    )
    return 0 if ran == counts["PASSED"] else 1


if __name__ == "__main__":
    sys.exit(main())
