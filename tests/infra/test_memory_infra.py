"""Agent memory in Bicep: the real templates deploy the container CosmosVectorMemory searches (its policies built by
the code's own `container_policies`), the account capabilities it needs, one vector length for the container and the
embedding model, and the settings the memory code reads; undoing any piece in a copy of infra/ is reported at its file
and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.memory.embeddings import EmbeddingSettings
from switchboard.memory.settings import DEFAULT_CONTAINER, MemorySettings
from switchboard.memory.vector_policy import PARTITION_KEY_PATH, container_policies
from switchboard.models.agent_models import PREFIX
from switchboard.models.settings import ModelSettings
from tests.infra import app_facts
from tests.infra.bicep_checks.agent_models import agent_model_findings
from tests.infra.bicep_checks.memory import memory_findings
from tests.infra.bicep_checks.resources import instances
from tests.infra.bicep_checks.rules import app_settings, app_settings_findings, role_findings
from tests.infra.bicep_checks.syntax import Finding, Infra
from tests.infra.mutations import INFRA, Breakage, break_copy, reported

CONTAINER = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"
CAPABILITIES = ("EnableNoSQLVectorSearch", "EnableNoSQLFullTextSearch")
"""What Azure requires of an account before a container may have a vector or a full-text policy."""


def check_memory(infra: Infra) -> list[Finding]:
    return memory_findings(infra, container_policies, PARTITION_KEY_PATH, CAPABILITIES)


def check_settings(infra: Infra) -> list[Finding]:
    return app_settings_findings(
        infra, app_facts.required_settings(), app_facts.forbidden_settings(), app_facts.credential_values()
    )


def check_roles(infra: Infra) -> list[Finding]:
    return role_findings(infra, app_facts.role_rules(), app_facts.ROLES)


def check_deployments(infra: Infra) -> list[Finding]:
    return agent_model_findings(infra, PREFIX, frozenset(name.upper() for name in ModelSettings.model_fields))


CHECKS = {"memory": check_memory, "settings": check_settings, "roles": check_roles, "agent-models": check_deployments}


@pytest.fixture(scope="module")
def infra() -> Infra:
    return Infra.load(INFRA)


def test_the_memory_container_is_the_one_cosmos_vector_memory_creates(infra: Infra) -> None:
    assert check_memory(infra) == []
    (container,) = (c for c in instances(infra, CONTAINER) if c.symbol == "memoryContainer")
    assert container.value("properties", "resource", "id") == DEFAULT_CONTAINER == MemorySettings().container
    # 1536 floats exceed the 505 a flat index takes: the template picks an index that holds them.
    cosmos = (INFRA / "modules" / "cosmos.bicep").read_text()
    assert "param memoryDimensions int = 1536" in cosmos
    assert "param memoryVectorIndex string = 'quantizedFlat'" in cosmos


def test_the_function_app_gets_every_memory_and_embedding_setting_the_code_reads(infra: Infra) -> None:
    assert check_settings(infra) == []
    read = {
        str(info.validation_alias.choices[0]) if info.validation_alias else name.upper()  # type: ignore[union-attr]
        for cls in (MemorySettings, EmbeddingSettings)
        for name, info in cls.model_fields.items()
    }
    settings = app_settings(infra)
    assert {"COSMOS_MEMORY_ENDPOINT", "COSMOS_MEMORY_CONTAINER", "AZURE_OPENAI_EMBEDDING_DEPLOYMENT"} <= read
    assert {name for name in read if name in settings} >= {
        "COSMOS_MEMORY_ENDPOINT",
        "COSMOS_MEMORY_DATABASE",
        "COSMOS_MEMORY_CONTAINER",
        "AZURE_OPENAI_EMBEDDING_DEPLOYMENT",
        "SWITCHBOARD_EMBEDDING_DIMENSIONS",
    }
    # Identity-based: no key setting of either class reaches the Function App.
    assert not {"COSMOS_MEMORY_KEY", "AZURE_OPENAI_API_KEY"} & set(settings)


def test_the_identity_may_read_and_write_memories(infra: Infra) -> None:
    assert check_roles(infra) == []
    assert any("COSMOS_MEMORY_ENDPOINT" in rule.why for rule in app_facts.role_rules())


def test_the_embedding_deployment_waits_for_the_chat_deployments(infra: Infra) -> None:
    assert check_deployments(infra) == []
    openai = (INFRA / "modules" / "openai.bicep").read_text()
    assert "resource embeddingDeployment" in openai
    assert "embeddingDeploymentName: deployMemory ? openAiEmbeddingModelName : ''" in (INFRA / "main.bicep").read_text()


BREAKAGES = {
    "vector search capability dropped": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "      {\n        name: 'EnableNoSQLVectorSearch'\n      }\n",
        "",
        "    capabilities: [",
        "capabilities lack EnableNoSQLVectorSearch",
    ),
    "full-text search capability dropped": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "      {\n        name: 'EnableNoSQLFullTextSearch'\n      }\n",
        "",
        "    capabilities: [",
        "capabilities lack EnableNoSQLFullTextSearch",
    ),
    "memory container always deployed": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "= if (deployMemory) {",
        "= {",
        "resource memoryContainer",
        "memoryContainer must be optional",
    ),
    "partition key other than the scope": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "          '/scope'\n",
        "          '/id'\n",
        "          '/id'",
        "partition key ['/id'], must be ['/scope']",
    ),
    "embedding path renamed": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "            path: '/embedding'\n            dataType",
        "            path: '/vector'\n            dataType",
        "      vectorEmbeddingPolicy: {",
        "vectorEmbeddingPolicy is",
    ),
    "vector index the dimensions do not fit": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "param memoryVectorIndex string = 'quantizedFlat'",
        "param memoryVectorIndex string = 'flat'",
        "      vectorEmbeddingPolicy: {",
        "a flat vector index takes 1 to 505 dimensions, not 1536",
    ),
    "vectors range-indexed": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "          {\n            path: '/embedding/*'\n          }\n",
        "",
        "      indexingPolicy: {",
        "indexingPolicy is",
    ),
    "full-text index dropped": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "        fullTextIndexes: [\n          {\n            path: '/text'\n          }\n        ]\n",
        "",
        "      indexingPolicy: {",
        "indexingPolicy is",
    ),
    "full-text language changed": Breakage(
        "memory",
        "modules/cosmos.bicep",
        "            language: 'en-US'",
        "            language: 'de-DE'",
        "      fullTextPolicy: {",
        "fullTextPolicy is",
    ),
    "container and model get different vector lengths": Breakage(
        "memory",
        "main.bicep",
        "    memoryDimensions: embeddingDimensions\n",
        "    memoryDimensions: 384\n",
        "    memoryDimensions: 384",
        "must get one vector length",
    ),
    "memory container setting dropped": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    COSMOS_MEMORY_CONTAINER: empty(memoryContainer) ? 'memory' : memoryContainer\n",
        "",
        "resource appSettings ",
        "app setting COSMOS_MEMORY_CONTAINER is not set",
    ),
    "embedding deployment setting dropped": Breakage(
        "settings",
        "modules/functionapp.bicep",
        "    AZURE_OPENAI_EMBEDDING_DEPLOYMENT: openAiEmbeddingDeploymentName\n",
        "",
        "resource appSettings ",
        "app setting AZURE_OPENAI_EMBEDDING_DEPLOYMENT is not set",
    ),
    "embedding deployment created with the chat deployments": Breakage(
        "agent-models",
        "modules/openai.bicep",
        "  dependsOn: [\n    deployment\n    secondDeployment\n  ]\n",
        "",
        "resource embeddingDeployment",
        "embeddingDeployment must dependsOn",
    ),
    "embedding deployment always created": Breakage(
        "agent-models",
        "modules/openai.bicep",
        "= if (!empty(embeddingDeploymentName)) {",
        "= {",
        "resource embeddingDeployment",
        "embeddingDeployment must be optional",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=list(BREAKAGES))
def test_each_memory_rule_reports_its_breakage(tmp_path: Path, breakage: Breakage) -> None:
    infra, line = break_copy(tmp_path, breakage)
    findings = CHECKS[breakage.check](infra)
    assert reported(breakage, line, findings), "\n".join(map(str, findings)) or "no finding"
