"""`negsim-convert` run as a command, and `load_scenario` reading every kind of source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from negsim.errors import ScenarioError
from negsim.formats.load import load_scenario
from tests.formats.reference import GENIUS, GENIUSWEB, utility_grid

BIN = Path(sys.executable).parent
EZ = GENIUS / "england_zimbabwe_2010"


def _convert(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "negsim-convert", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_genius_folder_converts_to_yaml_with_the_same_utilities(tmp_path: Path) -> None:
    out = tmp_path / "england_zimbabwe.yaml"
    done = _convert(EZ, "--to", "yaml", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert done.stderr == ""
    converted = load_scenario(out)
    original = load_scenario(EZ)
    assert converted.source == str(out)
    assert converted.party_names == original.party_names
    assert [i.option_labels for i in converted.issues] == [i.option_labels for i in original.issues]
    for party in original.party_names:
        assert np.array_equal(utility_grid(converted, party), utility_grid(original, party))
    assert out.read_text().startswith(f"# negsim scenario from {EZ / 'EnglandZimbabwe_domain.xml'}")


@pytest.mark.slow
def test_yaml_converts_to_genius_and_geniusweb_with_warnings_on_one_line(tmp_path: Path) -> None:
    for fmt, first in (("genius", "ukraine_2025_domain.xml"), ("geniusweb", "ukraine_2025.json")):
        done = _convert("ukraine_2025", "--to", fmt, "--out", tmp_path / fmt, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        written = [Path(line) for line in done.stdout.splitlines()]
        assert written[0].name == first and len(written) == 5
        warnings = done.stderr.splitlines()
        assert warnings and all(w.startswith("negsim-convert: warning: ") for w in warnings)
        assert any("cannot hold red lines" in w for w in warnings)
        again = load_scenario(written[0], written[1:])
        assert again.party_names == ["us", "russia", "ukraine", "europe"]


@pytest.mark.slow
def test_a_domain_file_and_its_profiles_convert(tmp_path: Path) -> None:
    folder = GENIUS / "england_zimbabwe_2012"
    files = [folder / f"EnglandvsZimbabwe-B-{p}.xml" for p in ("domain", "prof1", "prof2")]
    done = _convert(*files, "--to", "geniusweb", "--out", tmp_path / "b", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "GeniusWeb cannot hold discounts" in done.stderr


@pytest.mark.slow
def test_a_bad_file_is_one_error_line_and_status_2(tmp_path: Path) -> None:
    broken = tmp_path / "domain.xml"
    broken.write_text("<negotiation_template>\n  <utility_space>\n")
    done = _convert(broken, EZ / "England.xml", "--to", "yaml", "--out", "-", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"negsim-convert: error: {broken}: line 3, column 1: not valid XML")
    assert done.stdout == ""


@pytest.mark.slow
def test_a_folder_of_several_domains_is_one_error_line(tmp_path: Path) -> None:
    done = _convert(GENIUS / "england_zimbabwe_2012", "--to", "yaml", "--out", "-", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "holds 3 GENIUS domains" in done.stderr


@pytest.mark.slow
def test_help_explains_itself() -> None:
    done = subprocess.run(
        [BIN / "negsim-convert", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for text in ("SOURCE", "--to", "examples:", "GeniusWeb", "docs/reference/formats.md"):
        assert text in done.stdout


def test_load_scenario_reads_every_kind_of_source() -> None:
    assert load_scenario("ukraine_2025").source.endswith("ukraine_2025.yaml")
    assert load_scenario(EZ).source == str(EZ / "EnglandZimbabwe_domain.xml")
    domain = EZ / "EnglandZimbabwe_domain.xml"
    by_files = load_scenario(str(domain), profiles=[str(EZ / "England.xml"), EZ / "Zimbabwe.xml"])
    assert by_files.source == str(domain)
    web = GENIUSWEB / "anl2023_domain00"
    assert load_scenario(web).source == str(web / "domain00.json")
    by_json = load_scenario(web / "domain00.json", [web / "profileA.json", web / "profileB.json"])
    assert by_json.party_names == ["profileA", "profileB"]
    with pytest.raises(ScenarioError, match="no profiles: give the domain's profile files"):
        load_scenario(domain)
    with pytest.raises(ScenarioError, match="a folder: give either a folder"):
        load_scenario(EZ, profiles=[EZ / "England.xml"])
