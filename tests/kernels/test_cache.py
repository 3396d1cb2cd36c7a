"""Where compiled kernels are cached: beside the package, or in the user's cache folder when the
package's folder is read-only (a wheel in a system site-packages), silently."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import negsim

PACKAGE = Path(negsim.__file__).resolve().parent
# One small kernel, through the public API: the threshold model's estimates.
CODE = """
import numpy as np
import negsim
from negsim.strategies.thresholds import ThresholdModel
model = ThresholdModel(2, 3, 4, memory=2)
tables = np.full((2, 3, 4, 2), 0.25, dtype=np.float32)
print(negsim.__file__)
print(model.thresholds(np.array([0, 1]), np.arange(3), tables).tolist())
from negsim.kernels.models import threshold_estimates
print("cache misses", sum(threshold_estimates.dispatcher.stats.cache_misses.values()))
"""


@pytest.fixture
def copy_of_the_package() -> Iterator[Path]:
    """A copy of the package in a fresh folder: (folder)/site/negsim, and (folder)/cache."""
    base = Path(tempfile.mkdtemp(prefix="negsim-cache-test-"))
    try:
        shutil.copytree(PACKAGE, base / "site" / "negsim", ignore=shutil.ignore_patterns("__py*"))
        (base / "cache").mkdir()
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_read_only(base: Path) -> subprocess.CompletedProcess[str]:
    """Run `CODE` on the copy, its folder mounted read-only (root) or made so (other users)."""
    site = base / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "NEGSIM_"))}
    # -S: no site processing, so the editable install's finder cannot take `negsim` from the
    # checkout; the copy comes first on the path, the installed libraries after it.
    path = os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])
    env.update(PYTHONPATH=path, XDG_CACHE_HOME=str(base / "cache"), HOME=str(base))
    python = [sys.executable, "-S", "-c", CODE]
    if os.geteuid() == 0:  # root writes through file modes: a read-only bind mount instead
        if shutil.which("unshare") is None:
            pytest.skip("needs unshare(1) to mount the copy read-only as root")
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
        command += [str(site), *python]
    else:
        for path in [site, *site.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        command = python
    return subprocess.run(command, env=env, cwd=base, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_read_only_package_caches_its_kernels_in_the_user_cache(copy_of_the_package: Path):
    base = copy_of_the_package
    first = run_read_only(base)
    if first.returncode != 0 and "unshare" in first.stderr:
        pytest.skip(f"cannot mount read-only here: {first.stderr.strip()}")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0].startswith(str(base / "site"))  # the copy ran
    assert list((base / "cache" / "numba").rglob("*.nbi")), "nothing cached in the user cache"
    assert not list((base / "site").rglob("*.nbi"))
    second = run_read_only(base)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[:2] == first.stdout.splitlines()[:2]
    assert second.stdout.splitlines()[-1] == "cache misses 0"  # loaded from the user cache
    assert "compiling" not in second.stderr
    assert "Traceback" not in first.stderr + second.stderr
    assert "arning" not in first.stderr + second.stderr  # silently: no warnings


@pytest.mark.slow
def test_a_change_in_a_helper_module_recompiles_the_kernels_that_call_it(
    copy_of_the_package: Path,
) -> None:
    """numba stamps a cache entry with the defining file alone; negsim stamps it with every
    kernel module, so an edited helper (`sums.py`, used by the threshold kernel) is seen."""
    base = copy_of_the_package
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "NEGSIM_"))}
    path = os.pathsep.join([str(base / "site"), sysconfig.get_paths()["purelib"]])
    env.update(PYTHONPATH=path, NUMBA_CACHE_DIR=str(base / "cache"))

    def misses() -> str:
        done = subprocess.run(
            [sys.executable, "-S", "-c", CODE], env=env, cwd=base, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    assert misses() == "cache misses 1"  # compiled
    assert misses() == "cache misses 0"  # loaded
    helper = base / "site" / "negsim" / "kernels" / "sums.py"
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert misses() == "cache misses 1"  # compiled again
