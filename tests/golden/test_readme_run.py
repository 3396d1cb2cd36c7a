"""The README's "What a run tells you" is what `negsim` prints today, line for line.

The flagship at its defaults (1000 replications, seed 0) is run as a user runs it; every line of
the README's block must appear in its output (lines cut with "..." up to the cut), so a change to
the engine's numbers that moves the README's figures fails here until the README is re-run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_run_block() -> list[str]:
    """The lines of the README's run output, without the prompt line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```text\n\$ \.venv/bin/negsim\n(.*?)```", text, re.DOTALL)
    assert found, "README.md: no ```text block starting with `$ .venv/bin/negsim`"
    return [line for line in found.group(1).splitlines() if line.strip()]


@pytest.mark.slow
def test_the_readme_shows_what_the_flagship_prints(tmp_path: Path) -> None:
    negsim = Path(sys.executable).with_name("negsim")
    done = subprocess.run(
        [str(negsim), f"hydra.run.dir={tmp_path}", "figures=false", "progress=false"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = [line.rstrip() for line in done.stdout.splitlines()]
    for line in readme_run_block():
        if line.strip() == "...":
            continue
        if "..." in line:  # a table cut short: the printed line starts with what is shown
            shown = line[: line.index("...")].rstrip()
            assert any(p.startswith(shown) for p in printed), f"README line not printed: {line}"
        else:
            assert line.rstrip() in printed, f"README line not printed: {line}"
