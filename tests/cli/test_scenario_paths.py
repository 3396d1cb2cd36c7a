"""`negsim scenario_path=PATH`: a scenario from anywhere, errors naming the real file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from negsim.cli.scenario_path import ENV, prepare, scenario_source, split_value
from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.runs.jobs import most_opposed, utility_space_parties
from negsim.scenario import parse_scenario
from tests.builders import small_scenario_data, write_scenario_file

NEGSIM = Path(sys.executable).parent / "negsim"
SMALL = ["replications=20", "max_rounds=30"]


def _negsim(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", ENV)}
    return subprocess.run(
        [str(NEGSIM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.fixture
def talks(tmp_path: Path) -> Path:
    """A three-party scenario file outside the project, without the flagship's parties."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return write_scenario_file(elsewhere / "talks.yaml", small_scenario_data(3, name="talks"))


@pytest.mark.slow
def test_a_file_from_anywhere_runs_with_its_own_parties(tmp_path: Path, talks: Path) -> None:
    proc = _negsim(tmp_path, f"scenario_path={talks}", *SMALL, "hydra.run.dir=run")
    _ok(proc)
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario_file"] == str(talks.relative_to(tmp_path))  # as errors name it
    assert summary["config"]["scenario"]["name"] == "talks"
    assert set(summary["mean_utility"]) == {"p0", "p1", "p2"}
    assert (tmp_path / "run" / "utility_space.png").stat().st_size > 0


@pytest.mark.slow
def test_an_error_names_the_real_file(tmp_path: Path, talks: Path) -> None:
    proc = _negsim(
        tmp_path, f"scenario_path={talks}", "scenario.parties.p1.reservation=2", "hydra.run.dir=r"
    )
    line = _one_line_error(proc)
    where = talks.relative_to(tmp_path)
    assert line == f"negsim: error: {where}: parties.p1.reservation: must lie in [0, 1], got 2"
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("*.parquet"))


@pytest.mark.slow
def test_a_sweep_over_files(tmp_path: Path, talks: Path) -> None:
    other = write_scenario_file(talks.parent / "other.yaml", small_scenario_data(2, name="other"))
    proc = _negsim(
        tmp_path,
        "-m",
        f"scenario_path={talks},{other}",
        "scenario.parties.p0.reservation=0.1,0.2",
        *SMALL,
        "hydra.sweep.dir=sweep",
    )
    _ok(proc)
    table = pd.read_parquet(tmp_path / "sweep" / "summary.parquet")
    assert sorted(table["scenario"]) == ["other", "other", "talks", "talks"]
    assert (table["status"] == "ok").all()


@pytest.mark.slow
def test_config_dir_errors_name_the_file_there(tmp_path: Path) -> None:
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    path = write_scenario_file(tmp_path / "mine" / "scenario" / "x.yaml", small_scenario_data())
    proc = _negsim(
        tmp_path, "--config-dir", "mine", "scenario=x", "scenario.parties.p0.reservation=5"
    )
    line = _one_line_error(proc)
    assert line.startswith(f"negsim: error: {path.relative_to(tmp_path)}: parties.p0.reservation")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenario_path=nowhere.yaml"], "scenario_path: nowhere.yaml: no such file or folder"),
        (["scenario_path=a.yaml", "scenario=ukraine_2025"], "not both"),
        (["scenario_path="], "give a scenario file or folder"),
    ],
)
def test_bad_scenario_paths(tmp_path: Path, args: list[str], message: str) -> None:
    assert message in _one_line_error(_negsim(tmp_path, *args))


def test_split_value_and_unique_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "{}")  # restored afterwards: prepare sets it
    assert split_value(" a.yaml , b ") == [["a.yaml"], ["b"]]
    assert split_value("[d.xml, p.xml]") == [["d.xml", "p.xml"]]
    shipped = write_scenario_file(tmp_path / "a", small_scenario_data(name="ukraine_2025"))
    twin = write_scenario_file(tmp_path / "b.yaml", small_scenario_data(name="ukraine_2025"))
    argv = prepare(["negsim", f"scenario_path={shipped},{twin}", "seed=1"])
    assert argv[:2] == ["negsim", "seed=1"]
    assert argv[2] == "scenario=ukraine_2025_2,ukraine_2025_3"  # never the shipped one
    assert argv[3].startswith("hydra.searchpath=[file://")
    files = json.loads(os.environ[ENV])
    assert files == {"ukraine_2025_2": str(shipped), "ukraine_2025_3": str(twin)}
    assert scenario_source("ukraine_2025_3") == str(twin)
    folder = Path(argv[3].split("file://")[1].rstrip("]"))
    again = load_scenario(folder / "scenario" / "ukraine_2025_2.yaml")
    assert again.data == load_scenario(shipped).data


def test_prepare_leaves_other_commands_alone() -> None:
    argv = ["negsim", "replications=5", "scenario=ukraine_2025"]
    assert prepare(argv) == argv


def test_utility_space_defaults_to_the_most_opposed_parties() -> None:
    assert most_opposed(load_scenario("ukraine_2025")) == ("russia", "ukraine")
    data = small_scenario_data(3)  # p0 and p2 value the same options; p1 the opposite
    scenario = parse_scenario(data)
    assert utility_space_parties("auto", scenario) == ("p0", "p1")
    assert utility_space_parties(None, scenario) is None
    for bad, message in [
        (["p0", "us"], "no party 'us'"),
        (["p0"], "must name two parties"),
        (["p1", "p1"], "twice"),
    ]:
        with pytest.raises(NegsimError, match=message):
            utility_space_parties(bad, scenario)


@pytest.mark.slow
def test_a_bad_utility_space_stops_before_the_run(tmp_path: Path, talks: Path) -> None:
    proc = _negsim(
        tmp_path,
        f"scenario_path={talks}",
        "utility_space=[p0,us]",
        "figures=false",
        "hydra.run.dir=run",
    )
    assert "utility_space: no party 'us'" in _one_line_error(proc)
    assert not (tmp_path / "run" / "results.parquet").exists()


@pytest.mark.slow
def test_a_genius_folder_runs_with_one_line_warnings(tmp_path: Path) -> None:
    folder = Path(__file__).resolve().parents[1] / "data" / "genius" / "party"
    proc = _negsim(tmp_path, f"scenario_path={folder}", *SMALL, "figures=false", "hydra.run.dir=r")
    _ok(proc)
    warnings = proc.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("negsim: warning: ") for w in warnings)
    assert "party4_utility.xml: issue weights sum to 0.9999991" in warnings[0]
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["scenario_file"].endswith("party_domain.xml")
    assert len(summary["mean_utility"]) == 9


@pytest.mark.slow
def test_text_fields_are_text_not_interpolations(tmp_path: Path) -> None:
    data = small_scenario_data(name="costly")
    data["label"] = "Costs ${10 billion} and ${oc.env:HOME}"
    data["issues"]["i0"]["source"] = "quoted: ${nothing}"
    path = write_scenario_file(tmp_path / "costly.yaml", data)
    _ok(_negsim(tmp_path, f"scenario_path={path}", *SMALL, "figures=false", "hydra.run.dir=r"))
    scenario = json.loads((tmp_path / "r" / "summary.json").read_text())["config"]["scenario"]
    assert scenario["label"] == data["label"]
    assert scenario["issues"]["i0"]["source"] == "quoted: ${nothing}"


def test_a_chosen_scenario_with_text_interpolations_runs_as_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import negsim.cli.scenario_path as paths

    monkeypatch.setenv(ENV, "{}")
    (tmp_path / "scenario").mkdir()
    data = small_scenario_data(name="talks")
    plain = write_scenario_file(tmp_path / "scenario" / "plain.yaml", data)
    data["label"] = "a ${b}"
    odd = write_scenario_file(tmp_path / "scenario" / "odd.yaml", data)
    monkeypatch.setattr(paths, "SCENARIO_DIR", tmp_path / "scenario")
    assert paths.prepare(["negsim", "scenario=plain"]) == ["negsim", "scenario=plain"]
    argv = paths.prepare(["negsim", "scenario=odd", "seed=2"])
    assert argv[1] == "seed=2" and argv[2] == "scenario=talks"
    assert json.loads(os.environ[ENV]) == {"talks": str(odd)}
    assert plain.exists()
