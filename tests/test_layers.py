"""Layers point one way (spec/architecture.md): no module below the `Workspace` facade imports it, even for
types, and no import circle runs through it. Read from the source with `ast`, so imports inside functions and
`if TYPE_CHECKING:` blocks count as much as those at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
# The facade and what stands above it: the command line, the web app, the simulator and the demo.
ABOVE = ("strategyfirst.workspace", "strategyfirst.cli", "strategyfirst.web", "strategyfirst.simulate",
         "strategyfirst.demo", "strategyfirst.recovery", "strategyfirst.__main__")


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "strategyfirst").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (`from pkg import sub` counts as importing `pkg.sub`)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                graph[name] |= subs | ({node.module} if len(subs) < len(node.names) else set())
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names} & modules.keys()
        graph[name].discard(name)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_no_lower_layer_imports_the_workspace_facade() -> None:
    graph = _graph()
    offenders = sorted(m for m, targets in graph.items()
                       if "strategyfirst.workspace" in targets and not m.startswith(ABOVE) and m != "strategyfirst")
    assert offenders == [], f"these import the Workspace facade; take a ports.WorkspaceFiles instead: {offenders}"


def test_no_import_circle_runs_through_the_facade() -> None:
    graph = _graph()
    circle = sorted(m for m in _reachable(graph, "strategyfirst.workspace")
                    if "strategyfirst.workspace" in _reachable(graph, m))
    assert circle == [], f"import circle through workspace.py: {circle}"


@pytest.mark.parametrize("module", ["strategyfirst.formatting", "strategyfirst.ports", "strategyfirst.diagnose"])
def test_a_lower_module_loads_without_the_facade(module: str) -> None:
    """At run time too: importing a lower layer does not load workspace.py (the package's `Workspace` is lazy)."""
    import subprocess
    import sys

    code = f"import sys, {module}; print('strategyfirst.workspace' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(SRC)})
    assert out.stdout.strip() == "False"


def test_the_package_still_offers_workspace() -> None:
    import strategyfirst
    from strategyfirst import Workspace
    from strategyfirst.workspace import Workspace as Facade

    assert Workspace is Facade and strategyfirst.Workspace is Facade
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        strategyfirst.Nope  # noqa: B018
