"""The speed guard: the compiled engine keeps its speed-up over the numpy reference.

Runs `experiments/benchmark/guard.py` in a fresh process (one pinned core, both engines batch for
batch in turn, a bootstrap interval of the median ratio) against the saved baseline; fails when
the whole interval lies more than the allowance below it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GUARD = Path(__file__).resolve().parents[1] / "experiments" / "benchmark" / "guard.py"


@pytest.mark.slow
def test_the_compiled_round_is_no_slower_than_its_baseline_beyond_noise() -> None:
    done = subprocess.run(
        [sys.executable, str(GUARD), "--pairs", "6"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no regression beyond noise" in done.stdout, done.stdout
