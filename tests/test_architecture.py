"""The package's shape: the import contract holds, no module imports itself round a circle, and
modules stay small (docs/explanation/architecture.md names the ones allowed to be longer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
LONG_MODULES = {"negsim/analysis/frontier.py"}  # the Pareto frontier search, one concept
MOST_LINES = 450


def test_the_import_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = grimp.build_graph("negsim")  # type-only imports count too
    edges = nx.DiGraph(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
    )
    circles = [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1]
    assert circles == []


def test_modules_stay_within_the_line_budget() -> None:
    long = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "negsim").rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MOST_LINES
    }
    assert long <= LONG_MODULES, f"over {MOST_LINES} lines: {sorted(long - LONG_MODULES)}"
