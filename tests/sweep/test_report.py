"""`negsim-report`: rebuild a real sweep's table and figure and write a self-contained report."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from negsim.cli.report import main
from negsim.sweep.commands import override, reproduce_command
from negsim.sweep.table import SweepInfo

BIN = Path(sys.executable).parent
KEY = "scenario.parties.ukraine.reservation"
OUTPUTS = ("summary.parquet", "summary.csv", "agreement.png", "report.html")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real two-job sweep, run once for the module."""
    root = tmp_path_factory.mktemp("sweep")
    out = root / "sweep"
    done = run(
        BIN / "negsim", "-m", "replications=20", "max_rounds=30", "figures=false",
        f"{KEY}=0.3,0.5", f"hydra.sweep.dir={out}", cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def fresh_sweep(sweep_dir: Path, tmp_path: Path) -> Path:
    """A copy of the sweep without its table, figure or report, as if they were never written."""
    copy = tmp_path / "sweep"
    shutil.copytree(sweep_dir, copy)
    for name in OUTPUTS:
        (copy / name).unlink(missing_ok=True)
    return copy


@pytest.mark.slow
def test_report_rebuilds_the_table_and_figure_and_embeds_everything(fresh_sweep: Path) -> None:
    done = run(BIN / "negsim-report", fresh_sweep, cwd=fresh_sweep.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for name in OUTPUTS:
        assert (fresh_sweep / name).is_file(), name
        assert str(fresh_sweep / name) in done.stdout.splitlines()
    table = pd.read_parquet(fresh_sweep / "summary.parquet")
    assert sorted(table[KEY]) == [0.3, 0.5]
    assert list(table["status"]) == ["ok", "ok"]
    assert (fresh_sweep / "agreement.png").read_bytes().startswith(b"\x89PNG")

    text = (fresh_sweep / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text.count("data:image/png;base64,") == 1
    assert KEY in text
    assert "0.3, 0.5" in text  # the swept values
    for _, row in table.iterrows():  # the table rows, with probability and interval to 3 decimals
        assert f"<td>{row['agreement_probability']:.3f}</td>" in text
        assert f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]" in text
    assert "2 jobs: 2 finished" in text
    assert "<td>replications</td>" in text and "<td>20</td>" in text  # fixed parameters
    assert f"hydra.sweep.dir={fresh_sweep}" in text and "negsim -m " in text
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    assert "<link" not in text and "<script" not in text
    assert not re.search(r"""src=["'](?!data:)""", text)  # every image is embedded


@pytest.mark.slow
def test_report_lists_failed_jobs_with_escaped_errors(fresh_sweep: Path, tmp_path: Path) -> None:
    failed = fresh_sweep / "2"
    failed.mkdir()
    summary = {
        "status": "failed",
        "error": "<script>boom</script> & worse",
        "job": 2,
        "overrides": [f"{KEY}=0.9"],
    }
    (failed / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    out = tmp_path / "elsewhere" / "r.html"
    main([str(fresh_sweep), "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert not (fresh_sweep / "report.html").exists()
    assert "3 jobs: 2 finished" in text and "1 failed" in text
    assert "&lt;script&gt;boom&lt;/script&gt; &amp; worse" in text
    assert "<script>" not in text
    table = pd.read_csv(fresh_sweep / "summary.csv")
    assert list(table["status"]) == ["ok", "ok", "failed"]


@pytest.mark.slow
def test_reproduce_command_is_the_sweeps_own_and_explicit_on_request(sweep_dir: Path) -> None:
    info = SweepInfo(swept={KEY: [0.3, 0.5]}, fixed={"replications": 20, "seed": 0})
    own = reproduce_command(info, sweep_dir)
    assert own == (
        f"negsim -m replications=20 max_rounds=30 figures=false {KEY}=0.3,0.5 "
        f"hydra.sweep.dir={sweep_dir}"
    )
    explicit = reproduce_command(info, sweep_dir / "new", explicit=True)
    assert (
        explicit
        == f"negsim -m replications=20 seed=0 {KEY}=0.3,0.5 hydra.sweep.dir={sweep_dir}/new"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "k=null"), (True, "k=true"), (0.4, "k=0.4"), ("us", "k=us"), ("a b", "k='a b'"),
     ([1, "x"], "k=[1,x]")],
)  # fmt: skip
def test_override_values_read_back_as_hydra_parses_them(value: object, text: str) -> None:
    assert override("k", value) == text


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("negsim-report: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.slow
def test_a_missing_path_is_one_error_line_and_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    done = run(BIN / "negsim-report", missing, cwd=tmp_path)
    assert done.returncode == 2
    assert one_error_line(done.stderr) == f"negsim-report: error: {missing}: no such directory"
    assert done.stdout == ""


@pytest.mark.parametrize("kind", ["file", "empty dir", "plain dir"])
def test_not_a_sweep_directory_is_one_error_line_and_status_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "thing"
    if kind == "file":
        path.write_text("x")
    else:
        path.mkdir()
        if kind == "plain dir":
            (path / "notes").mkdir()  # a subdirectory that is no job
            (path / "a.txt").write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        main([str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    line = one_error_line(err)
    assert line.startswith(f"negsim-report: error: {path}: not a")
    assert not (path / "summary.parquet").exists() if path.is_dir() else True


@pytest.mark.slow
def test_the_report_of_a_real_sweep_opens_with_its_headline_and_scenario(
    fresh_sweep: Path,
) -> None:
    main([str(fresh_sweep)])
    text = html.unescape((fresh_sweep / "report.html").read_text(encoding="utf-8"))
    assert "<h1>Sweep report: Ukraine peace talks 2025 (US, Russia, Ukraine, Europe)</h1>" in text
    table = pd.read_parquet(fresh_sweep / "summary.parquet")
    low, high = table["agreement_probability"].min(), table["agreement_probability"].max()
    spread = (
        f"{low:.2f} throughout"
        if f"{low:.2f}" == f"{high:.2f}"
        else f"from {low:.2f} to {high:.2f}"
    )
    assert (
        "Agreement probability against Ukraine's reservation value (0.3 to 0.5, 2 values): "
        f"{spread}; "
    ) in text
    assert "20 replications per point" in text
    assert "The spring-2025 talks on ending the war in Ukraine" in text  # the description


@pytest.mark.slow
def test_a_real_single_run_folder_is_not_a_sweep(tmp_path: Path) -> None:
    single = tmp_path / "single"
    done = run(
        BIN / "negsim", "replications=10", "max_rounds=20", "figures=false",
        f"hydra.run.dir={single}", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run(BIN / "negsim-report", single, cwd=tmp_path)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert line == (
        f"negsim-report: error: {single}: not a sweep directory: a single run's "
        f"(its summary is {single}/summary.json)"
    )
