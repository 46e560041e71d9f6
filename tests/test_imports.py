"""Every module of the package imports, and no two modules import each other, even lazily.

The graph is read from the source with ``ast``: every ``import``/``from ... import`` of a
``bcfpipe`` module counts, at module level or inside a function (a lazy import only hides a
cycle), except under ``if TYPE_CHECKING:`` (never executed). A cycle fails the test, printed as
the modules that form it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "bcfpipe"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.AST, current: str, is_package: bool) -> list[str]:
    """The bcfpipe modules one import statement names (``from a import b``: a.b if a module)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = current.split(".") if is_package else current.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names]


def imports_of(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        for target in _imported(node, name, path.name == "__init__.py"):
            # "import bcfpipe.a.b" or "from bcfpipe.a.b import f": the longest module named.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("bcfpipe"):
                found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    return {name: imports_of(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path that returns to its start) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)

    out = []
    for comp in components:
        members = set(comp)
        # A shortest way back to the first module, through the component only.
        start = comp[0]
        paths = {start: [start]}
        frontier = [start]
        cycle: list[str] = []
        while frontier and not cycle:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & members):
                    if w == start:
                        cycle = [*paths[v], start]
                        break
                    if w not in paths:
                        paths[w] = [*paths[v], w]
                        nxt.append(w)
                if cycle:
                    break
            frontier = nxt
        out.append(cycle)
    return out


def test_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_reads_lazy_and_relative_imports(tmp_path: Path) -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "from . import results\n"
        "if TYPE_CHECKING:\n"
        "    from bcfpipe.guest import vm\n"
        "def f():\n"
        "    from bcfpipe.load import loadjob\n"
    )
    path = PACKAGE / "load" / "x.py"
    tree_file = tmp_path / "x.py"
    tree_file.write_text(src)
    MODULES["bcfpipe.load.x"] = path
    try:
        found = imports_of("bcfpipe.load.x", tree_file)
    finally:
        del MODULES["bcfpipe.load.x"]
    assert found == {"bcfpipe.load.results", "bcfpipe.load.loadjob"}
    assert "bcfpipe.load.results" in imports_of(
        "bcfpipe.load.bcfloop", MODULES["bcfpipe.load.bcfloop"]
    )


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles between modules:\n" + "\n".join(
        "  " + " -> ".join(c) for c in found
    )


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"bcfpipe.__main__"}))  # runs the CLI
def test_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_each_command_is_registered_by_the_module_the_map_names() -> None:
    """`bcfpipe CMD` imports COMMAND_OWNERS[CMD] alone: the map must say who registers what."""
    import argparse
    import importlib

    from bcfpipe import cli

    registered = {}
    for module in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        registered.update(dict.fromkeys(sub.choices, module))
    assert registered == cli.COMMAND_OWNERS


def test_a_command_parses_the_same_with_its_module_alone() -> None:
    from bcfpipe import cli

    argv = ["load-objects", "--vm", "v.json", "--object", "a.o", "--project", "p"]
    argv += ["--out", "a.json", "--log", "a.log"]
    alone = vars(cli.build_parser("load-objects").parse_args(argv))
    full = vars(cli.build_parser().parse_args(argv))
    assert alone == full
