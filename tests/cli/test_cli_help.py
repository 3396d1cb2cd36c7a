"""`negsim --help` and `--version`: negsim's own, true to the config; Hydra's help still there."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

NEGSIM = Path(sys.executable).parent / "negsim"
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NEGSIM), *args], capture_output=True, text=True, timeout=60)


def test_help_lists_every_setting_with_its_default_and_five_examples() -> None:
    proc = _run("--help")
    assert proc.returncode == 0 and proc.stderr == ""
    text = proc.stdout
    assert text.startswith("negsim: simulate")
    config = yaml.safe_load((ROOT / "configs" / "config.yaml").read_text())
    for key, value in config.items():
        if key in ("defaults", "hydra"):
            continue
        default = (
            "null" if value is None else str(value).lower() if isinstance(value, bool) else value
        )
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{key} "))
        assert str(default).replace("'", "") in line, line
    examples = text.split("Examples:\n")[1].split("\n\n")[0].splitlines()
    assert len(examples) == 5 and all(e.strip().startswith("negsim") for e in examples)
    assert "outputs/<date>/<time>/" in text and "negsim --hydra-help" in text


def test_version_is_the_package_version_and_commit() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    proc = _run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"negsim {version} (commit {commit})"


def test_hydra_help_stays_reachable() -> None:
    proc = _run("--hydra-help")
    assert proc.returncode == 0 and "Hydra" in proc.stdout
