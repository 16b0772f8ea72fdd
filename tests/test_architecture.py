"""The house rules of the package, read from its source (AST), not by text search.

docs/design.md states them: subpackages along the data flow, no import cycle
between modules, nothing below ``modlean.cli`` imports it, no module imports
another module's private names, and no module over 600 lines. The face
(``modlean/__init__.py``) names one verb per step a user takes.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "modlean"
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    """One ``import`` statement of a module: what it names, and where it sits."""

    module: str  # the module imported from, absolute
    names: tuple[str, ...]  # names imported from it (empty for ``import x``)
    line: int
    top_level: bool  # at module level (including under ``if TYPE_CHECKING``)
    type_only: bool  # under ``if TYPE_CHECKING``


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path) -> Iterator[Import]:
    """Every import of a module, resolved to absolute module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def walk(nodes: list[ast.stmt], top: bool, typing_only: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(alias.name, (), node.lineno, top, typing_only)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                yield Import(base, tuple(a.name for a in node.names), node.lineno, top,
                             typing_only)
            elif isinstance(node, ast.If) and top and _is_type_checking(node):
                yield from walk(node.body, top, True)
                yield from walk(node.orelse, top, typing_only)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        stays_top = top and not isinstance(
                            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                        yield from walk(children, stays_top, typing_only)

    yield from walk(tree.body, True, False)


def dependency_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package modules it imports (type-only imports excluded).

    ``from modlean.process import dfg`` depends on ``modlean.process``;
    ``from modlean import process`` on ``modlean.process`` too. Imports inside
    functions count as well: they defer a dependency, they do not remove it.
    """
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imp in imports_of(name, path):
            if imp.type_only or not imp.module.startswith("modlean"):
                continue
            targets = {imp.module} | {f"{imp.module}.{n}" for n in imp.names}
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first = last), or None."""
    try:
        edges = nx.find_cycle(nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets]))
    except nx.NetworkXNoCycle:
        return None
    return [a for a, _ in edges] + [edges[-1][1]]


MODULES = package_modules()


def test_no_import_cycle_between_modules():
    cycle = find_cycle(dependency_graph(MODULES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    cycle = find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()})
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_nothing_below_the_cli_imports_it():
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name, path in MODULES.items() if not name.startswith("modlean.cli")
        and name != "modlean.__main__"
        for imp in imports_of(name, path)
        if (imp.module == "modlean.cli" or imp.module.startswith("modlean.cli.")
            or (imp.module == "modlean" and "cli" in imp.names)) and not imp.type_only
    ]
    assert not offenders, offenders


def test_no_module_imports_another_modules_private_names():
    offenders = [
        f"{name}:{imp.line} imports {n} from {imp.module}"
        for name, path in MODULES.items()
        for imp in imports_of(name, path) if imp.module.startswith("modlean")
        for n in imp.names if n.startswith("_") and not n.startswith("__")
    ]
    assert not offenders, offenders


def test_subpackages_import_each_other_through_their_faces():
    """From outside a subpackage, import its face; inside, import the sibling module."""
    subpackages = {n for n, p in MODULES.items() if p.name == "__init__.py" and n.count(".") == 1}
    offenders = []
    for name, path in MODULES.items():
        own = next((s for s in subpackages if name == s or name.startswith(s + ".")), None)
        for imp in imports_of(name, path):
            target = next((s for s in subpackages if imp.module.startswith(s + ".")), None)
            if target and target != own and not name.startswith(("modlean.cli", "modlean.plots")):
                offenders.append(f"{name}:{imp.line} imports {imp.module} (use {target})")
            if own and imp.module == own and path.name != "__init__.py":
                offenders.append(f"{name}:{imp.line} imports its own face {own} (a cycle)")
    assert not offenders, offenders


def test_below_the_cli_modlean_is_imported_at_the_top():
    """Function-level imports may defer a heavy third-party package, never modlean itself."""
    offenders = [
        f"{name}:{imp.line} imports {imp.module} inside a function"
        for name, path in MODULES.items() if not name.startswith("modlean.cli")
        for imp in imports_of(name, path)
        if not imp.top_level and imp.module.startswith("modlean")
    ]
    assert not offenders, offenders


#: The layers of the data flow, lowest first: a subpackage imports only from lower
#: layers (docs/design.md draws the same table). ``modlean`` is the lazy face.
LAYERS = {
    "_util": 0, "yamlread": 0.25, "messages": 0.5, "errors": 1,  # the foundation
    "resources": 2, "executor": 2, "kpis": 2.5, "kpi_docs": 2.6,
    "eventlog": 3,
    "process": 4, "scenario": 4,
    "simulation": 5, "quality": 5,
    "dsa": 5.5,
    "risk": 6,
    "decisions": 7,
    "plots": 8,
    "workbook": 8.5,
    "evidence": 9,
    "cli": 10, "__main__": 11,
}


def _layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "modlean"


def test_every_room_has_a_layer():
    rooms = {_layer_of(n) for n in MODULES} - {"modlean"}
    assert rooms <= set(LAYERS), f"add to LAYERS and docs/design.md: {sorted(rooms - set(LAYERS))}"


def test_subpackages_import_only_from_lower_layers():
    offenders = []
    for name, path in MODULES.items():
        here = _layer_of(name)
        for imp in imports_of(name, path):
            if imp.type_only or not imp.module.startswith("modlean"):
                continue
            for target in {imp.module} | {f"{imp.module}.{n}" for n in imp.names}:
                there = _layer_of(target)
                if target not in MODULES or there == here or here == "modlean":
                    continue
                if LAYERS.get(there, -1) >= LAYERS.get(here, 99):
                    offenders.append(f"{name}:{imp.line} imports {target} ({here} is layer "
                                     f"{LAYERS.get(here)}, {there} is layer {LAYERS.get(there)})")
    assert not offenders, offenders


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_a_room_not_a_hall(name):
    path = MODULES[name]
    source = path.read_text(encoding="utf-8")
    lines = source.count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_LINES})"
    assert ast.get_docstring(ast.parse(source)), f"{path.relative_to(ROOT)}: no module docstring"


def test_the_face_names_its_verbs_and_errors():
    import modlean

    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    public = {n for n in modlean.__all__}
    assert public == set(modlean.VERBS) | {
        "LogError", "ModleanError", "ParameterError", "RegisterError", "ScenarioError",
        "__version__"}
    for name in modlean.__all__:
        assert getattr(modlean, name) is not None, name
    for verb, subpackage in modlean.VERBS.items():
        assert getattr(modlean, verb) is getattr(getattr(modlean, subpackage), verb), verb
    type_checked = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.If)
                    for imp in node.body if isinstance(imp, ast.ImportFrom) for a in imp.names}
    assert type_checked == set(modlean.VERBS), "the TYPE_CHECKING imports name every verb"


def test_every_subpackage_face_exports_what_it_imports():
    import importlib

    for name, path in MODULES.items():
        if path.name != "__init__.py" or name == "modlean":
            continue
        face = importlib.import_module(name)
        missing = [n for n in getattr(face, "__all__", []) if not hasattr(face, n)]
        assert not missing, f"{name}.__all__ names what it does not have: {missing}"


def test_every_package_folder_ships_in_the_wheel():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    found = {n for n, p in MODULES.items() if p.name == "__init__.py"}
    assert found <= listed, f"not listed in pyproject.toml: {sorted(found - listed)}"
    assert set(setuptools["package-dir"]) == {"modlean.templates", "modlean.notebooks"}
