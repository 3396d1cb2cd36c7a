"""`negsim-report SWEEP_DIR --discover CONDITION`: PRIM's box on a small real sweep, end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
UKRAINE = "scenario.parties.ukraine.reservation"
RUSSIA = "scenario.parties.russia.reservation"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 4 x 4 sweep of the flagship over Ukraine's and Russia's reservations, run once."""
    root = tmp_path_factory.mktemp("discover")
    out = root / "sweep"
    done = run(
        BIN / "negsim", "-m", "replications=50", f"{UKRAINE}=0.2,0.4,0.6,0.7",
        f"{RUSSIA}=0.3,0.5,0.7,0.8", f"hydra.sweep.dir={out}", cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def sweep(sweep_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sweep, for a test that writes into it."""
    return Path(shutil.copytree(sweep_dir, tmp_path / "sweep"))


@pytest.mark.slow
def test_discover_prints_the_box_writes_its_files_and_the_report_section(sweep: Path) -> None:
    before = {p.name for p in sweep.iterdir()}
    done = run(BIN / "negsim-report", sweep, "--discover", "agreement<0.3", cwd=sweep.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Talks fail (agreement < 0.3) in ")
    assert "russia.reservation >=" in lines[0]  # Russia's walk-away value sinks the talks
    assert lines[0].endswith("of all such points (coverage).")
    assert "Other boxes (--box STEP):" in lines
    added = {p.name for p in sweep.iterdir()} - before
    assert added <= {"discovery.json", "discovery.png", "report.html", "summary.csv"}
    assert {"discovery.json", "discovery.png"} <= added
    for name in ("discovery.json", "discovery.png", "report.html"):
        assert str(sweep / name) in lines

    data = json.loads((sweep / "discovery.json").read_text(encoding="utf-8"))
    assert data["condition"]["column"] == "agreement_probability"
    assert data["points"] == 16 and 0 < data["of_interest"] < 16
    assert data["sentence"] == lines[0]
    step = data["trajectory"][data["box"]]
    assert (data["coverage"], data["density"]) == (step["coverage"], step["density"])
    assert data["density"] >= 0.8
    assert any(limit["name"] == RUSSIA for limit in data["limits"])
    assert (sweep / "discovery.png").read_bytes().startswith(b"\x89PNG")

    text = (sweep / "report.html").read_text(encoding="utf-8")
    assert "<h2>Scenario discovery: agreement &lt; 0.3</h2>" in text
    assert text.count("data:image/png;base64,") == 2  # the sweep's figure and PRIM's

    # another step of the trajectory, on request
    again = run(BIN / "negsim-report", sweep, "--discover", "agreement<0.3", "--box", "0",
                cwd=sweep.parent)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "% of all points (no restriction) (density)" in again.stdout.splitlines()[0]
    assert json.loads((sweep / "discovery.json").read_text(encoding="utf-8"))["box"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--discover", "agremeent<0.3"], "condition 'agremeent<0.3': no column 'agremeent'"),
        (["--discover", "agreement=0.3"], "condition 'agreement=0.3': not COLUMN OP NUMBER"),
        (["--discover", "agreement<0"], "condition 'agreement<0': no point meets it"),
        (["--discover", "agreement<=1"], "condition 'agreement<=1': every point meets it"),
        (["--discover", "agreement<0.3", "--box", "99"], "--box 99: the trajectory of"),
        (["--discover", "agreement<0.3", "--density", "2"], "--density 2: must be in (0, 1]"),
        (["--box", "2"], "--density and --box choose a box of --discover CONDITION"),
    ],
)
def test_every_mistake_is_one_line_and_writes_nothing(
    sweep: Path, args: list[str], message: str
) -> None:
    before = sorted(p.name for p in sweep.iterdir())
    done = run(BIN / "negsim-report", sweep, *args, cwd=sweep.parent)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("negsim-report: error: ")
    assert message in done.stderr
    assert sorted(p.name for p in sweep.iterdir()) == before


@pytest.mark.slow
def test_too_few_points_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "small"
    done = run(BIN / "negsim", "-m", "replications=20", f"{UKRAINE}=0.2,0.6",
               f"hydra.sweep.dir={out}", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run(BIN / "negsim-report", out, "--discover", "agreement<0.5", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        f"negsim-report: error: {out}: condition 'agreement<0.5': only 2 finished points; "
        "PRIM needs at least 10\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["discovery.json", "discovery.png"])
def test_a_file_negsim_did_not_write_is_never_replaced(sweep: Path, name: str) -> None:
    mine = sweep / name
    mine.write_text("the user's own notes\n", encoding="utf-8")
    done = run(BIN / "negsim-report", sweep, "--discover", "agreement<0.3", cwd=sweep.parent)
    assert done.returncode == 2
    assert done.stderr == (
        f"negsim-report: error: {mine}: exists and negsim did not write it; move it, "
        "then run --discover again\n"
    )
    assert mine.read_text(encoding="utf-8") == "the user's own notes\n"
    assert not (sweep / ({"discovery.json", "discovery.png"} - {name}).pop()).exists()
