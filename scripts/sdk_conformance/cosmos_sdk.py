"""Run Microsoft's own azure-cosmos tests and samples against our Cosmos emulator and print pass/fail counts.

Usage: ``python scripts/sdk_conformance/cosmos_sdk.py [--tests | --samples] [--marker M] [tests/test_x.py ...]``
(``--marker cosmosSearchQuery`` runs Microsoft's vector, full-text and hybrid search tests instead.)

The source archive of the installed azure-cosmos version is downloaded from PyPI once into
``.cache/sdk/`` (``pip download --no-binary``; never committed). The emulator is started on a free
loopback port (HTTP and HTTPS, in memory) and the SDK's tests read it from ``ACCOUNT_HOST`` /
``ACCOUNT_KEY``. Only the tests marked ``cosmosEmulator`` (the ones Microsoft runs against its own
emulator) are selected. The tests import ``devtools_testutils`` (Microsoft's repo-internal test
tools, not on PyPI); a two-function stand-in is written next to them: key auth only, never live.

Samples that need an Entra ID tenant are listed as not applicable; every other sample runs as a
script with a timeout, and passes when it exits 0 and prints no failure: most samples catch the SDK's
error, print it and exit 0 anyway, so a printed error status, caught error or traceback fails the sample
(`printed_failure`).
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
import urllib.request
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from sdk_archive import sdk_source

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / ".cache" / "sdk"
EMULATOR_PORT = 8081  # Microsoft's emulator's port, which some tests use literally
KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
# Samples that authenticate with Microsoft Entra ID (a tenant, a client secret): nothing local can stand in.
ENTRA_SAMPLES = {
    "access_cosmos_with_aad.py",
    "access_cosmos_with_aad_async.py",
    "access_fabric_with_overridenscope_aad.py",
    "session_token_management.py",  # DefaultAzureCredential
    "session_token_management_async.py",
}
NOT_SAMPLES = {"config.py", "vector_test_data.py"}
# What the resource-token samples print on purpose: the operations their comments say fail ("Fails since this
# client only has access to a specific item"). Printed in this order, they are the sample working.
_TOKEN_SAMPLE_REFUSALS = (
    "Error in reading items in container 'samples'.",
    "Error in upserting item with id '3'.",
    "Error in reading items in container 'samples'.",
    "Error in reading item with id '1'.",
)
EXPECTED_FAILURES = {
    "access_cosmos_with_resource_token.py": _TOKEN_SAMPLE_REFUSALS,
    "access_cosmos_with_resource_token_async.py": _TOKEN_SAMPLE_REFUSALS,
}
# Samples broken by themselves, the same against Azure: (a pattern every other printed failure must match, text the
# output must hold, why). Any other failure of theirs counts as FAILED.
_UNBALANCED_QUERY = (
    r"Syntax error, incorrect syntax near '\)'",
    "FullTextScore(c.text1, ['artist']))",
    "has full-text queries with an unbalanced ')' (Azure answers 400 too)",
)
SAMPLE_DEFECTS = {
    "document_management.py": (
        r"^Traceback",
        "No such file or directory: 'file_name.txt'",
        "reads a file_name.txt it does not ship",
    ),
    "index_management.py": _UNBALANCED_QUERY,
    "index_management_async.py": _UNBALANCED_QUERY,
    "access_cosmos_with_resource_token_async.py": (
        r"^run_sample has caught an error\. \(Forbidden\)",
        "(Forbidden)",
        "deletes its database with a token for one item (Azure answers 403 too)",
    ),
}
SHIM = {
    "devtools_testutils/__init__.py": "",
    "devtools_testutils/helpers.py": (
        "def is_live():\n    return False\n\n\nis_live._cache = False\n"  # test_config.py assigns _cache
    ),
    "devtools_testutils/azure_recorded_testcase.py": (
        "import os\n\n\ndef get_credential(is_async=False, **kwargs):\n"
        "    # Key auth only: the emulator has no Entra ID.\n"
        "    return os.environ['ACCOUNT_KEY']\n"
    ),
}
PYTEST_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = ignore\n"
# What a sample prints when an operation failed although it exits 0 (it caught the SDK's error).
PRINTED_FAILURE = re.compile(
    r"has caught an error|Traceback \(most recent call last\)|CosmosHttpResponseError"
    r"|Status code: (?:400|5\d\d)\b|\((?:BadRequest|InternalServerError|ServiceUnavailable)\)"
    r"|Error in (?:upserting|reading|deleting|querying|creating|replacing)"
)
RESULT_LINE = re.compile(r"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)")


def free_port() -> int:
    """Port 8081 when free (several SDK tests hard-code Microsoft's emulator endpoint), else any free one."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", EMULATOR_PORT))
        except OSError:
            print(f"port {EMULATOR_PORT} is taken: tests that hard-code it will fail", flush=True)
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(workdir: Path, extra: list[str], root: Path = REPO_ROOT) -> tuple[subprocess.Popen[bytes], int]:
    """Start our emulator (from the checkout at `root`) on a free port; wait until its health endpoint answers."""
    port = free_port()
    options = ["--data-dir", str(workdir / "data"), "--log-level", "WARNING"]
    log = (workdir / "emulator.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "local_emulators.cosmos", "--port", str(port), "--in-memory", *options, *extra],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the emulator did not start; see {workdir / 'emulator.log'}")


def sdk_env(port: int, shim: Path) -> dict[str, str]:
    """Environment for the SDK's tests and samples: our endpoint and key, the stand-in on the path."""
    env = dict(os.environ)
    endpoint = f"https://localhost:{port}/"
    env.update(
        # Each sample reads its own variable names; all of them name this emulator.
        ACCOUNT_HOST=endpoint,
        ACCOUNT_URI=endpoint,
        COSMOS_ACCOUNT_URL=endpoint,
        COSMOS_CREDENTIAL=KEY,
        CONN_STR=f"AccountEndpoint={endpoint};AccountKey={KEY};",
        DATABASE_NAME="samples",
        ACCOUNT_KEY=KEY,
        COSMOS_DATABASE="samples",
        COSMOS_CONTAINER="samples",
        COSMOS_CONTAINER_MH="samples_mh",
        PYTHONPATH=os.pathsep.join([str(shim), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_tests(
    source: Path,
    env: dict[str, str],
    workdir: Path,
    per_test: int,
    total: int,
    selection: list[str] | None = None,
    marker: str = "cosmosEmulator",
) -> Counter[str]:
    """Run the tests with `marker` (all, or the given files/node ids) in one pytest process; count outcomes."""
    ini = workdir / "pytest.ini"
    ini.write_text(PYTEST_INI)
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(source / "tests")]
    command += [
        "-m",
        marker,
        "-v",
        "-p",
        "no:cacheprovider",
        f"--timeout={per_test}",
        *(selection or ["tests"]),
    ]
    outcomes: Counter[str] = Counter()
    report = workdir / "tests.log"
    with report.open("w") as log:
        process = subprocess.Popen(
            command, cwd=source, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        deadline = time.monotonic() + total
        for line in process.stdout:
            log.write(line)
            match = RESULT_LINE.match(line)
            if match:
                outcomes[match.group(2)] += 1
                if match.group(2) in ("FAILED", "ERROR"):
                    print(f"  {match.group(2)} {match.group(1)}", flush=True)
            if time.monotonic() > deadline:
                process.kill()
                outcomes["TIMEOUT(run cut short)"] += 1
                break
        process.wait()
    print(f"full pytest log: {report}")
    return outcomes


def printed_failure(output: str) -> str | None:
    """The first line of a sample's output that shows a failed operation, or None."""
    for line in output.splitlines():
        if PRINTED_FAILURE.search(line):
            return line.strip()[:200]
    return None


def judge_sample(name: str, code: int, output: str) -> tuple[str, str | None, str | None]:
    """PASSED, FAILED or SAMPLE DEFECT; the first unexpected printed failure; why it is the sample's own defect.

    The failures a sample prints on purpose (`EXPECTED_FAILURES`, in order) are taken out first; what remains
    fails the sample, unless every remaining line is its known defect (`SAMPLE_DEFECTS`).
    """
    lines = [line.strip() for line in output.splitlines() if PRINTED_FAILURE.search(line)]
    for expected in EXPECTED_FAILURES.get(name, ()):
        if expected in lines:
            lines.remove(expected)
    if code == 0 and not lines:
        return "PASSED", None, None
    printed = lines[0][:200] if lines else None
    defect = SAMPLE_DEFECTS.get(name)
    if defect is not None and lines and defect[1] in output and all(re.search(defect[0], line) for line in lines):
        return "SAMPLE DEFECT", printed, defect[2]
    return "FAILED", printed, None


def run_samples(source: Path, env: dict[str, str], workdir: Path, per_sample: int, port: int) -> Counter[str]:
    """Run every sample script with a timeout; a sample passes when it exits 0 and prints no failure."""
    outcomes: Counter[str] = Counter()
    for sample in sorted((source / "samples").glob("*.py")):
        if sample.name in NOT_SAMPLES:
            continue
        if sample.name in ENTRA_SAMPLES:
            outcomes["NOT APPLICABLE (needs Entra ID)"] += 1
            print(f"  n/a    {sample.name} (needs a Microsoft Entra ID tenant)")
            continue
        log = workdir / f"sample-{sample.stem}.log"
        # Each sample starts from an empty account, as it would on a fresh one (several share ids).
        reset = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/reset", data=b"{}", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
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
                    timeout=per_sample,
                ).returncode
            # Most samples catch CosmosHttpResponseError, print it and exit 0: judge what they print.
            result, printed, note = judge_sample(sample.name, code, log.read_text(errors="replace"))
            if printed is not None:
                print(f"    printed: {printed}")
            if note is not None:
                print(f"    the sample {note}")
        except subprocess.TimeoutExpired:
            result = "TIMEOUT"
        outcomes[result] += 1
        where = "" if result == "PASSED" else f" {log}"
        print(f"  {result:<7} {sample.name} ({time.monotonic() - started:.1f} s){where}", flush=True)
    return outcomes


def main() -> int:
    """Parse arguments, start the emulator, run the chosen suites, print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--tests", action="store_true", help="run only the SDK's emulator-marked tests")
    which.add_argument("--samples", action="store_true", help="run only the SDK's samples")
    parser.add_argument("--per-test-timeout", type=int, default=60)
    parser.add_argument("--tests-timeout", type=int, default=2400, help="cut the whole test run after this long")
    parser.add_argument("--per-sample-timeout", type=int, default=120)
    parser.add_argument("--emulator-arg", action="append", default=[], help="extra emulator argument (repeatable)")
    parser.add_argument(
        "--emulator-root",
        type=Path,
        default=REPO_ROOT,
        help="run the emulator from this checkout (e.g. an older commit's `git archive`, for before/after counts)",
    )
    parser.add_argument(
        "--marker",
        default="cosmosEmulator",
        help="pytest marker of the SDK tests to run (cosmosSearchQuery: vector, full-text and hybrid search)",
    )
    parser.add_argument("only", nargs="*", help="SDK test files or node ids to run instead of all (tests/test_x.py)")
    args = parser.parse_args()
    source = sdk_source("azure-cosmos", CACHE, marker="tests")
    summary: dict[str, Counter[str]] = {}
    # The logs stay after the run, so failures can be read.
    workdir = Path(tempfile.mkdtemp(prefix="cosmos-sdk-"))
    shim = workdir / "shim"
    for relative, text in SHIM.items():
        (shim / relative).parent.mkdir(parents=True, exist_ok=True)
        (shim / relative).write_text(text)
    emulator, port = start_emulator(workdir, args.emulator_arg, args.emulator_root)
    try:
        env = sdk_env(port, shim)
        print(f"azure-cosmos {version('azure-cosmos')} against our emulator on port {port}; logs in {workdir}")
        if not args.samples:
            print(f"== tests marked {args.marker}", flush=True)
            summary["tests"] = run_tests(
                source, env, workdir, args.per_test_timeout, args.tests_timeout, args.only or None, args.marker
            )
        if not args.tests:
            print("== samples", flush=True)
            summary["samples"] = run_samples(source, env, workdir, args.per_sample_timeout, port)
    finally:
        emulator.terminate()
        emulator.wait(timeout=15)
    for suite, counts in summary.items():
        passed = counts["PASSED"] + counts["XFAIL"]
        failed = sum(n for outcome, n in counts.items() if outcome not in ("PASSED", "XFAIL", "SKIPPED"))
        failed -= counts["NOT APPLICABLE (needs Entra ID)"] + counts["SAMPLE DEFECT"]
        details = ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
        print(f"{suite}: {passed} passed, {failed} failed ({details})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
