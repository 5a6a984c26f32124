"""azd project file, .funcignore and docs/deploy.md agree with the templates and the app (offline)."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.infra.bicep_checks.syntax import Infra, body, lookup, string_literal, value_of

REPO = Path(__file__).resolve().parents[2]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .funcignore drops the path, read as gitignore does it.

    A pattern with a leading or inner slash is anchored at the root; one without a slash matches a file or directory
    name at any depth (so `scripts` would also drop `agents/scripts`).
    """
    parts = relative.split("/")
    prefixes = ["/".join(parts[: end + 1]) for end in range(len(parts))]
    for pattern in patterns:
        anchored = "/" in pattern.rstrip("/")
        bare = pattern.strip("/")
        if any(fnmatch.fnmatch(prefix if anchored else prefix.rsplit("/", 1)[-1], bare) for prefix in prefixes):
            return True
    return False


def funcignore() -> list[str]:
    lines = (REPO / ".funcignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_azure_yaml_deploys_the_repository_root_as_the_python_function_service() -> None:
    project = yaml.safe_load((REPO / "azure.yaml").read_text())
    assert project["services"] == {"agents": {"project": ".", "language": "python", "host": "function"}}
    assert (REPO / project["infra"]["path"] / f"{project['infra']['module']}.bicep").is_file()
    assert (REPO / "function_app.py").is_file()
    assert (REPO / "requirements.txt").is_file()


def test_the_function_app_carries_the_azd_service_tag() -> None:
    service = next(iter(yaml.safe_load((REPO / "azure.yaml").read_text())["services"]))
    infra = Infra.load(REPO / "infra")
    app = next(bicep for bicep in infra if bicep.name == "infra/modules/functionapp.bicep")
    default = app.declarations("param")["serviceName"].children[-1]
    assert string_literal(default) == service
    main = next(bicep for bicep in infra if bicep.name == "infra/main.bicep")
    (call,) = [node for _, path, node in main.modules() if path.name == "functionapp.bicep"]
    params = lookup(body(call), "params")
    assert params is not None
    assert lookup(value_of(params), "serviceName") is None  # keeps the default


def test_funcignore_keeps_every_module_the_app_imports_and_drops_dev_only_trees() -> None:
    script = (
        "import json, sys, function_app; "
        "print(json.dumps(sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)})))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    files = [Path(f).resolve() for f in json.loads(result.stdout.splitlines()[-1])]
    # The installed packages come from requirements.txt at deployment (remote build), not from this directory, even
    # when the environment lives inside it (scripts/setup.sh's .venv).
    environment = Path(sys.prefix).resolve()
    project = [f for f in files if f.is_relative_to(REPO) and not f.is_relative_to(environment)]
    loaded = sorted(f.relative_to(REPO).as_posix() for f in project)
    patterns = funcignore()
    assert "function_app.py" in loaded
    assert [path for path in loaded if ignored(path, patterns)] == []
    data = [p.relative_to(REPO).as_posix() for p in (REPO / "agents").rglob("*.json")]
    assert [path for path in ["host.json", "requirements.txt", *data] if ignored(path, patterns)] == []
    for dev_only in (
        "tests/infra/test_azd_project.py",
        "scripts/setup.sh",
        "docs/hosting.md",
        "local_emulators/__init__.py",
        "infra/main.bicep",
        "local.settings.json",
        ".venv/lib/x.py",
        "benchmarks/x.py",
        ".azure/dev/.env",
    ):
        assert ignored(dev_only, patterns), dev_only


def test_the_deploy_doc_covers_both_tools_their_parameter_file_ci_submit_and_app_insights() -> None:
    # docs/deploy.md is the deployment guide (the README links it).
    guide = (REPO / "docs" / "deploy.md").read_text()
    for needle in (
        "azd up",
        "az deployment group create",
        "infra/main.bicepparam",
        "main.parameters.json",
        "AZURE_PRINCIPAL_TYPE ServicePrincipal",
        "UnmatchedPrincipalType",
        "resource group's region",
        "switchboard submit",
        "ServiceBusConnection__fullyQualifiedNamespace",
        "az login",
        "/api/runs",
        "operation_Id",
    ):
        assert needle in guide, needle
