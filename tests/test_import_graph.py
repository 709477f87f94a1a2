"""No import circles among ejan's modules, counting imports inside functions too.

A function-level import that closes a circle still ties two modules together: neither can be read,
tested or moved without the other. Features talk through signals (ejan/signals.py) instead.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ejan"


def modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imported_by(module: str, is_package: bool, node: ast.AST, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = module.split(".") if is_package else module.split(".")[:-1]
        if node.level:
            base = base[:len(base) - (node.level - 1)]
        prefix = ".".join(base) if node.level else ""
        target = ".".join(part for part in (prefix, node.module or "") if part)
        # `from . import views` imports the module ejan.x.views; `from .views import bp` imports ejan.x.views.
        targets = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target for alias in node.names]
    resolved = []
    for target in targets:
        while target not in known and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in known and target != module:
            resolved.append(target)
    return resolved


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph = {}
    for module, (path, is_package) in known.items():
        graph[module] = {
            target
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for target in imported_by(module, is_package, node, set(known))
        }
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_of_ejan_imports_its_way_back_to_itself():
    assert circles(import_graph()) == []


def test_the_checker_sees_a_circle_through_an_import_inside_a_function():
    graph = {"ejan.a": {"ejan.b"}, "ejan.b": {"ejan.a"}, "ejan.c": {"ejan.a"}}
    assert circles(graph) == [["ejan.a", "ejan.b"]]
    source = "def late():\n    from .b import thing\n"
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom))
    assert imported_by("ejan.a", False, node, {"ejan.a", "ejan.b"}) == ["ejan.b"]


def test_the_checker_reads_the_real_tree():
    graph = import_graph()
    assert "ejan.mobile.render" in graph["ejan.mobile"]
    assert "ejan.extensions" in graph["ejan.diary.services"]
