"""The built wheel on its own: installed into a fresh virtual environment, outside the checkout,
`negsim` runs the flagship with the configs it ships and the Python API runs a model.

The fresh environment borrows the third-party packages of the running one (a `.pth` file naming
its site-packages, so no second install of numpy, pandas, mesa or Hydra); a path line in a
`.pth` file runs no other `.pth` file, so the editable install of this checkout stays out and
negsim comes from the wheel alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]  # one build, one venv

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCES = {".git", ".venv", "build", "dist", "outputs", "multirun", "runs", "site"}  # top
NEVER = {"__pycache__", ".hypothesis"}


def not_sources(folder: str, names: list[str]) -> set[str]:
    """What the copy of the checkout leaves out: the environment, caches, builds and outputs."""
    top = NOT_SOURCES if Path(folder) == PROJECT_ROOT else set()
    return {n for n in names if n in top | NEVER or n.endswith((".egg-info", "_cache", ".pyc"))}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` without this checkout on PYTHONPATH; fail the test on a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "HYDRA_FULL_ERROR"}}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )
    return done


def site_packages(python: Path, cwd: Path) -> Path:
    """The site-packages folder of the environment of `python`."""
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    return Path(run([str(python), "-c", code], cwd=cwd).stdout.strip())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """negsim's wheel, built offline from a copy of the checkout (so the build writes nothing
    into the checkout)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(PROJECT_ROOT, source, symlinks=True, ignore=not_sources)
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-index", "--no-deps"]
    run([*pip, "--no-build-isolation", "-w", str(root / "dist"), str(source)], cwd=root)
    [built] = (root / "dist").glob("negsim-*.whl")
    return built


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtual environment holding the wheel."""
    root = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], cwd=root)
    python = root / "venv" / "bin" / "python"
    borrowed = dict.fromkeys(sysconfig.get_path(key) for key in ("purelib", "platlib"))
    (site_packages(python, root) / "borrowed.pth").write_text("".join(f"{p}\n" for p in borrowed))
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    run([*pip, "--no-index", "--no-deps", str(wheel)], cwd=root)
    return python.parent


def test_the_wheel_holds_every_config_and_the_hydra_plugins(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [
        *(PROJECT_ROOT / "negsim" / "configs").rglob("*.yaml"),
        *(PROJECT_ROOT / "hydra_plugins").rglob("*.py"),
        PROJECT_ROOT / "negsim" / "py.typed",
    ]
    assert len(shipped) > 20
    assert {p.relative_to(PROJECT_ROOT).as_posix() for p in shipped} - names == set()


def test_the_installed_command_runs_the_flagship(venv_bin: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"  # not the checkout, whose configs/ must not be used
    elsewhere.mkdir()
    run_dir = tmp_path / "run"
    command = [str(venv_bin / "negsim"), "replications=100", f"hydra.run.dir={run_dir}"]
    done = run(command, cwd=elsewhere)
    assert "agreement probability" in done.stdout
    assert (run_dir / "summary.json").is_file()


def test_the_installed_package_runs_a_model(venv_bin: Path, tmp_path: Path) -> None:
    code = (
        "import negsim; print(negsim.__file__); from negsim import NegotiationModel; "
        "NegotiationModel('ukraine_2025', replications=10, seed=1).run()"
    )
    done = run([str(venv_bin / "python"), "-c", code], cwd=tmp_path)
    imported = Path(done.stdout.splitlines()[0])
    assert imported.is_relative_to(site_packages(venv_bin / "python", tmp_path))  # not the checkout
