"""No circles in the import graph of switchboard and of the Service Bus emulator's wire package (type-only
imports included), checked with grimp, the graph library import-linter runs on."""

from __future__ import annotations

import grimp
import pytest


def _cycles(package: str) -> list[set[str]]:
    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules} for m in modules}
    # Tarjan's strongly connected components; a component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in modules:
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize("package", ["switchboard", "local_emulators.servicebus.wire"])
def test_the_package_has_no_import_circle(package: str) -> None:
    root = package.split(".")[0]
    graph_root = _cycles(root)
    assert [c for c in graph_root if any(m == package or m.startswith(package + ".") for m in c)] == []


def test_package_level_switchboard_has_no_circle_either() -> None:
    graph = grimp.build_graph("switchboard", cache_dir=None)
    packages = sorted(m for m in graph.modules if m.count(".") == 1)
    for upper in packages:
        for lower in packages:
            if upper < lower and graph.chain_exists(upper, lower, as_packages=True):
                assert not graph.chain_exists(lower, upper, as_packages=True), f"{upper} and {lower} import each other"
