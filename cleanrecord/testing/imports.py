"""The package's import graph between its apps, read from the source with `ast` (nothing is imported).

A unit is a top-level app or module of the package (`records`, `lib`, `conf`, `api` …). Every import
between two units counts, at module level and inside functions alike: a function-level import hides a
dependency from Python's import machinery, not from the layers. Tests (any `tests` package, conftest.py)
are not part of the layers and are left out.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    source: str  # the importing unit
    target: str  # the imported unit
    path: Path  # the importing file, relative to the folder holding the package
    line: int
    deferred: bool  # inside a function


def _module_name(path: Path, root: Path) -> tuple[str, str]:
    """The dotted name of a file's module, and the package its relative imports start from."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _is_test_code(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return "tests" in parts[:-1] or path.name == "conftest.py"


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The modules an import statement names (for `from p import name`, p.name: it may be a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    return [f"{module}.{alias.name}" for alias in node.names]


def unit_of(module: str, package: str) -> str | None:
    """`cleanrecord.records.models` → `records`; `cleanrecord.conf` → `conf`; outside the package → None."""
    parts = module.split(".")
    if parts[0] != package:
        return None
    return parts[1] if len(parts) > 1 else package


def units(root: Path) -> set[str]:
    """The package's apps and top-level modules (not its own tests)."""
    found = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "tests"}
    found |= {p.stem for p in root.glob("*.py") if p.name != "__init__.py"}
    return found


def _deferred_nodes(tree: ast.AST) -> set[int]:
    inside = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(n) for n in ast.walk(function) if n is not function}
    return inside


def imports(root: Path) -> Iterator[Import]:
    """Every import from one unit of the package at `root` into another."""
    package = root.name
    for path in sorted(root.rglob("*.py")):
        if _is_test_code(path, root):
            continue
        module, base = _module_name(path, root)
        source = unit_of(module, package)
        assert source is not None  # every file under root is in the package
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        deferred = _deferred_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _targets(node, base):
                target = unit_of(name, package)
                if target is not None and target != source:
                    yield Import(source, target, path.relative_to(root.parent), node.lineno, id(node) in deferred)


def graph(found: Iterator[Import] | list[Import]) -> dict[tuple[str, str], Import]:
    """Each edge (source unit, target unit) with the first import that makes it."""
    edges: dict[tuple[str, str], Import] = {}
    for i in found:
        edges.setdefault((i.source, i.target), i)
    return edges


def find_cycle(edges) -> list[str] | None:
    """One cycle of units, as [a, b, …, a], or None when the graph has none."""
    successors: dict[str, list[str]] = {}
    for source, target in sorted(edges):
        successors.setdefault(source, []).append(target)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(unit: str) -> list[str] | None:
        state[unit] = 1
        path.append(unit)
        for nxt in successors.get(unit, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[unit] = 2
        return None

    for unit in sorted(successors):
        if unit not in state and (cycle := visit(unit)):
            return cycle
    return None


def describe_cycle(cycle: list[str], edges) -> str:
    steps = [f"{a} → {b} ({edges[a, b].path}:{edges[a, b].line})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return "import cycle " + " → ".join(cycle) + ":\n  " + "\n  ".join(steps)


def upward_imports(edges, layers: list[tuple[str, ...]]) -> list[Import]:
    """The imports of a unit from its own layer or one above it (`layers` listed bottom first)."""
    layer = {unit: n for n, units_ in enumerate(layers) for unit in units_}
    return [i for (source, target), i in sorted(edges.items()) if layer[source] <= layer[target]]


def undocumented_deferred_imports(root: Path) -> Iterator[tuple[Path, int]]:
    """Function-level imports of the package's own modules with no comment saying why: on the import's
    lines, or on the line above the run of imports it belongs to."""
    package = root.name
    for path in sorted(root.rglob("*.py")):
        if _is_test_code(path, root):
            continue
        module, base = _module_name(path, root)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text, filename=str(path))
        deferred = _deferred_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) not in deferred:
                continue
            if all(unit_of(name, package) is None for name in _targets(node, base)):
                continue
            if any("#" in lines[n - 1] for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
                continue
            above = node.lineno - 2
            while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith(("from ", "import "))):
                above -= 1
            if above < 0 or not lines[above].lstrip().startswith("#"):
                yield path.relative_to(root.parent), node.lineno
