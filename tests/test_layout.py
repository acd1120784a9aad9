"""The grader's layout holds: sub-packages by role, each importing only from the layers below
it, no import cycle (imports inside functions included), no module over 400 lines, and no
module named like a standard library one."""

import ast
import sys
from pathlib import Path

import pytest

GRADER = Path(__file__).resolve().parents[1] / "grader"
MAX_LINES = 400

# Bottom to top; a package may import from its own layer and the ones before it.
LAYERS = [
    "grader.inside",  # runs in the child: imports nothing from the grader at all
    "grader.errors",  # the error hierarchy and exit codes (standard library only)
    "grader.files",  # atomic writes, reproducible zips (standard library only)
    "grader.sandbox",
    "grader.catalog",
    "grader.authoring",
    "grader.checks",
    "grader.engine",
    "grader.options",  # what the command-line entry points share
    "grader.selfcheck",  # the student's run of the checks on public cases
    "grader.course",
    "grader.cli",
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in GRADER.rglob("*.py"):
        if "release_files" in path.parts:  # copied into the student release, not imported
            continue
        parts = list(path.relative_to(GRADER.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every grader module ``name`` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int | None:
    for rank, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def test_every_module_belongs_to_a_layer():
    assert [m for m in MODULES if m != "grader" and _layer(m) is None] == []


def test_no_package_imports_from_a_layer_above_it():
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if target != "grader" and module != "grader" and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_the_child_code_imports_nothing_of_the_grader():
    inside = {m: t for m, t in GRAPH.items() if _layer(m) == 0}
    assert inside and all(t <= set(inside) for t in inside.values())


def test_there_is_no_import_cycle():
    # Depth-first search for a back edge; reports the cycle it closes.
    state: dict[str, str] = {}
    path: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_the_size_limit(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_no_module_is_named_like_a_standard_library_module():
    shadowing = [m for m in MODULES if m.rpartition(".")[2] in sys.stdlib_module_names]
    assert shadowing == []
