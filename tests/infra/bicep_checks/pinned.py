"""Pinned properties: values a resource type must have by a literal (e.g. a sandbox pool with egress disabled).

Like the local-auth rule, a value that is absent or known only at deployment is a finding: a security property must
be visible in the template, not left to a parameter or to the service's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.infra.bicep_checks.resources import instances
from tests.infra.bicep_checks.syntax import Finding, Infra, body, lookup


@dataclass(frozen=True)
class PinnedValue:
    """A property every resource of a type must set to one literal value.

    Attributes:
        resource_type: e.g. `Microsoft.App/sessionPools`.
        path: The property path inside the resource body.
        value: The value it must have.
        why: What the value guarantees (printed in findings).
    """

    resource_type: str
    path: tuple[str, ...]
    value: Any
    why: str


def pinned_findings(infra: Infra, rules: Sequence[PinnedValue], *, required: Sequence[str] = ()) -> list[Finding]:
    """Resources whose pinned property is absent or differs; resource types of `required` that are not declared."""
    findings: list[Finding] = []
    for kind in required:
        if not list(instances(infra, kind)):
            findings.append(next(iter(infra)).finding(None, "pinned", f"no {kind} is declared"))
    for rule in rules:
        for instance in instances(infra, rule.resource_type):
            actual = instance.value(*rule.path)
            if actual == rule.value:
                continue
            setting = ".".join(rule.path)
            shown = "not set" if lookup(body(instance.declaration), *rule.path) is None else f"{actual!r}"
            findings.append(
                instance.bicep.finding(
                    instance.node(*rule.path),
                    "pinned",
                    f"{instance.symbol} ({rule.resource_type}): {setting} is {shown}, must be {rule.value!r} "
                    f"({rule.why})",
                )
            )
    return findings
