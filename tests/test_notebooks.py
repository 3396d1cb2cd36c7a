"""Execute every notebook in notebooks/ top to bottom: a cell that raises fails the test.

The kernel is this interpreter: a `python3` kernel spec is written at test time into a temporary
directory (whose argv is `sys.executable`) and put first on `JUPYTER_PATH`, so a kernel spec of
the machine or of the user can never run the notebooks with another Python. Connection files and
IPython's profile go to the temporary directory too: nothing is read from or written to the home
directory, and no network is needed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import install as install_kernel_spec
from nbclient import NotebookClient

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "python3"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A `python3` kernel spec running this interpreter, found first by Jupyter."""
    root = tmp_path_factory.mktemp("jupyter")
    # The kernel imports negsim from this checkout even if another copy is installed.
    python_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    spec_dir = Path(
        install_kernel_spec(
            kernel_name=KERNEL_NAME, prefix=str(root), env={"PYTHONPATH": python_path}
        )
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
        mp.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        mp.setenv("IPYTHONDIR", str(root / "ipython"))
        yield spec_dir


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


def test_kernel_spec_runs_this_interpreter(kernel_env: Path) -> None:
    spec = json.loads((kernel_env / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == sys.executable


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_executes(path: Path, kernel_env: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, at the first cell error
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: cells raised {errors}"
