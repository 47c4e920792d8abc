"""The library's layout: a core that knows no paper, one subpackage per network family, no import cycle, and no
private name used from outside the subpackage that owns it."""

import ast
import importlib
import json
import pkgutil
from pathlib import Path

import pytest

import mipnn

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "mipnn"
FAMILIES = ("bnn", "duality", "signnet", "relu", "baselines")
#: Per-paper code under experiments/ (the drivers and readers of the notebooks' experiments).
DRIVERS = ("experiments.adult", "experiments.bdnn", "experiments.benchmarks", "experiments.layerwise",
           "experiments.layerwise_figures", "experiments.bdnn_figures", "experiments.adult_figures",
           "experiments.parameters",
           "experiments.tame", "experiments.tame_figures", "experiments.trainers", "experiments.trainer_runs",
           "experiments.trainer_figures")


def _modules() -> dict[str, Path]:
    """Dotted name (without the ``mipnn.`` prefix; packages by their name) → source file, for every module."""
    out = {}
    for path in sorted(LIB.rglob("*.py")):
        rel = path.relative_to(LIB).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts) or "__init__"] = path
    return out


MODULES = _modules()


def _package_of(name: str, path: Path) -> list[str]:
    parts = [] if name == "__init__" else name.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _resolve(target: list[str]) -> str | None:
    name = ".".join(target) or "__init__"
    return name if name in MODULES else None


def _imports(name: str, path: Path) -> set[str]:
    """Library modules imported anywhere in a module (module level or inside functions: a lazy import that
    closes a cycle is still a cycle)."""
    out = set()
    package = _package_of(name, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mipnn":
                    mod = _resolve(alias.name.split(".")[1:])
                    if mod:
                        out.add(mod)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not node.module or node.module.split(".")[0] != "mipnn":
                    continue
                base = node.module.split(".")[1:]
            else:
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                mod = _resolve(base + [alias.name]) or _resolve(base)
                if mod:
                    out.add(mod)
    out.discard(name)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _is_family(name: str) -> bool:
    return name.split(".")[0] in FAMILIES or any(name == d or name.startswith(d + ".") for d in DRIVERS)


def test_no_import_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle in lib/mipnn: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)


def test_core_knows_no_family():
    core = [n for n in GRAPH if not _is_family(n) and n != "__init__"]
    assert {"solve", "validation", "exceptions", "numerics", "paths", "plotting", "estimator", "data",
            "experiments", "experiments.sweep"} <= set(core)

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for nxt in GRAPH[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    bad = {n: sorted(m for m in reach(n) if _is_family(m)) for n in core}
    assert not {n: m for n, m in bad.items() if m}, f"core modules that reach a family subpackage: {bad}"


def test_every_subpackage_declares_its_public_api():
    for info in pkgutil.walk_packages(mipnn.__path__, "mipnn."):
        module = importlib.import_module(info.name)
        assert module.__doc__ and module.__doc__.strip(), f"{info.name} has no opening docstring"
        if info.ispkg:
            assert hasattr(module, "__all__"), f"{info.name}/__init__.py has no __all__"
            missing = [n for n in module.__all__ if not hasattr(module, n)]
            assert not missing, f"{info.name}.__all__ names {missing}, which it does not define"
            assert not [n for n in module.__all__ if n.startswith("_") and n != "__version__"]


def _sources():
    """(label, python source) of every test, benchmark and notebook code cell (IPython magics dropped)."""
    for path in sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                try:
                    ast.parse(src)
                except SyntaxError:  # IPython magics
                    src = "\n".join("" if line.startswith(("%", "!")) else line for line in src.splitlines())
                yield f"{nb.relative_to(ROOT)} cell {i}", src


def _private_uses(src: str) -> list[str]:
    tree = ast.parse(src)
    aliases, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "mipnn":
                    found += [p for p in a.name.split(".") if p.startswith("_")]
                    aliases.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mipnn":
            found += [p for p in node.module.split(".") if p.startswith("_")]
            for a in node.names:
                if a.name.startswith("_"):
                    found.append(f"{node.module}.{a.name}")
                aliases.add(a.asname or a.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases and base.id[:1].islower():
                found.append(ast.unparse(node))
    return found


def test_no_private_name_used_outside_the_library():
    offenders = {label: uses for label, src in _sources() if (uses := _private_uses(src))}
    assert not offenders, f"private library names used from outside lib/mipnn: {offenders}"
