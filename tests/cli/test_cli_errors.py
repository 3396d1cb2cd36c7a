"""Every mistake on the command line is one line naming the key, with exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NEGSIM = Path(sys.executable).parent / "negsim"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run(
        [str(NEGSIM), "replications=10", "max_rounds=20", "figures=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("negsim: error: ")
    return lines[0].removeprefix("negsim: error: ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["protocol=nope"],
            "config: protocol: no option 'nope' (options: alternating, mediated, simultaneous, "
            "split_track)",
        ),
        (["nokey=3"], "config: nokey: no such key (to add a new key, write +nokey=...)"),
        (
            ["scenario.parties.nobody.reservation=2"],
            "config: scenario.parties.nobody.reservation: no such key",
        ),
        (["replications=[1,2"], "command line: replications=[1,2: not a valid override"),
        (["+replicatons=5"], "config: replicatons: unknown setting (known: "),
        (
            ["scenario.parties.us.strategy.exponent=inf"],
            "parties.us.strategy.exponent: parameter 'exponent' of 'conceder' must be a finite "
            "number, got inf",
        ),
        (["hydra.job.chdir=maybe"], "hydra.job.chdir=maybe: Value 'maybe' is not a valid bool"),
        (["+strategy@scenario.parties.us.strategy=nope"], "config: strategy: no option 'nope'"),
    ],
)
def test_hydra_and_config_mistakes(tmp_path: Path, args: list[str], expected: str) -> None:
    assert expected in _error(_run(tmp_path, *args, "hydra.run.dir=run"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["seed=9223372036854775808"],
            "config: seed: must be a whole number in [0, 9223372036854775807], got "
            "9223372036854775808",
        ),
        (
            ["-m", "seed=1,2", "hydra.launcher.chunk_size=0"],
            "hydra.launcher.chunk_size: must be null or a whole number >= 1, got 0",
        ),
        (
            ["-m", "seed=1,2", "hydra.launcher.chunk_size=-2"],
            "hydra.launcher.chunk_size: must be null or a whole number >= 1, got -2",
        ),
        (
            ["-m", "seed=1,2", "hydra.launcher.n_jobs=0"],
            "hydra.launcher.n_jobs: must be -1 (every core) or a whole number >= 1, got 0",
        ),
        (
            ["-m", "seed=range(0,1,0)"],
            "command line: seed=range(0,1,0): not a valid sweep (range() arg 3 must not be zero)",
        ),
        (
            [
                "-m",
                "seed=1,2",
                "hydra.launcher.executor=ray",
                "+hydra.launcher.ray.init.address=127.0.0.1:1",
            ],
            "hydra.launcher.ray.init.address: 127.0.0.1:1: nothing answers there "
            "(Connection refused, within 10 s)",
        ),
        (
            ["-m", "seed=1,2", "hydra.launcher.executor=nope"],
            "hydra.launcher.executor: must be one of auto, inline, local, submitit, ray, "
            "got 'nope'",
        ),
    ],
)
def test_settings_out_of_range_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    assert _error(_run(tmp_path, *args, "hydra.run.dir=run", "hydra.sweep.dir=sweep")) == expected


@pytest.mark.slow
def test_run_dir_under_a_plain_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    line = _error(_run(tmp_path, "hydra.run.dir=afile/run"))
    assert line.startswith("afile/run") and "Not a directory" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_run_dir_read_only(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = _error(_run(tmp_path, "hydra.run.dir=locked/run"))
    assert "Permission denied" in line


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["abc", "-1"])
def test_a_bad_seed_reads_the_same_from_python_and_the_command_line(
    tmp_path: Path, seed: str
) -> None:
    from negsim.errors import NegsimError
    from negsim.formats.load import load_scenario
    from negsim.model import NegotiationModel

    value = int(seed) if seed.lstrip("-").isdigit() else seed
    with pytest.raises(NegsimError) as info:
        NegotiationModel(load_scenario("itex_cypress"), replications=2, seed=value)
    line = _error(_run(tmp_path, f"seed={seed}", "hydra.run.dir=run"))
    assert line == f"config: {info.value}"


@pytest.mark.slow
def test_multirun_flag_may_come_after_the_overrides(tmp_path: Path) -> None:
    proc = _run(
        tmp_path, "scenario.parties.ukraine.reservation=0.3,0.4", "-m", "hydra.sweep.dir=sweep"
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.name.isdigit()) == ["0", "1"]


@pytest.mark.slow
def test_an_interpolation_in_a_scenario_text_override_is_text(tmp_path: Path) -> None:
    import json

    proc = _run(tmp_path, "scenario.parties.us.label=costs ${x}", "hydra.run.dir=run")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["config"]["scenario"]["parties"]["us"]["label"] == "costs ${x}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("name: x\nissues: {a: [1, 2}\n", "line 2, column 18", "expected ',' or ']', but got '}'"),
        ("name: x\nissues:\n\ta: 1\n", "line 3, column 1", "found character '\\t'"),
    ],
)
def test_a_yaml_syntax_error_names_file_line_and_column(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    (tmp_path / "mine" / "scenario" / "broken.yaml").write_text(text)
    line = _error(_run(tmp_path, "--config-dir", "mine", "scenario=broken"))
    assert line.startswith(f"mine/scenario/broken.yaml: {where}: not valid YAML: "), line
    assert problem in line
