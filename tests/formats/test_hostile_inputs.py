"""Hostile scenario and domain files: each is refused on one line, in bounded time and memory.

An alias bomb (a few hundred bytes of YAML expanding to 10^9 nodes), a text field holding a
mapping, a GENIUS issue of 600,000 items, a GeniusWeb domain of 40,000 values, deeply nested
JSON, a GeniusWeb profile holding a list, and an evaluation beyond a double's range.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from negsim.errors import ScenarioError
from negsim.formats.load import load_scenario
from negsim.formats.mapping import MAX_OPTIONS
from negsim.formats.read import read_domain
from negsim.formats.yaml_read import read_yaml

BIN = Path(sys.executable).parent
MEMORY_LIMIT = 1 << 30  # 1 GiB of address space: the bomb expanded needs tens of GiB

PARTIES = """\
issues:
  x: {options: [a, b]}
parties:
  p: {reservation: 0, positions: {x: {weight: 1, values: {a: 1, b: 0}}}}
  q: {reservation: 0, positions: {x: {weight: 1, values: {a: 0, b: 1}}}}
"""


def _bomb(path: Path) -> Path:
    """A scenario whose description nests aliases nine levels of ten: 10^9 strings."""
    lines = [
        "name: bomb",
        "description:",
        '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [{','.join([f'*{prev}'] * 10)}]")
    path.write_text("\n".join(lines) + "\n" + PARTIES, encoding="utf-8")
    return path


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _one_line_error(proc: subprocess.CompletedProcess[str], command: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{command}: error: "), proc.stderr
    return lines[0].removeprefix(f"{command}: error: ")


# item 2: the alias bomb and text fields that are not text


def test_an_alias_bomb_is_refused_by_the_reader(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.yaml")
    with pytest.raises(ScenarioError) as caught:
        read_yaml(path)
    assert str(caught.value).startswith(f"{path}: description.")
    assert "aliases repeat more than 100,000 nodes" in str(caught.value)


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: loop\ndescription: &d [1, *d]\n" + PARTIES, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"description\[1\]: an alias refers to the node it is"):
        load_scenario(path)


def test_modest_aliases_still_read(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    text = PARTIES.replace(
        "{x: {weight: 1, values: {a: 1, b: 0}}}", "&pos {x: {weight: 1, values: {a: 1, b: 0}}}"
    ).replace("{x: {weight: 1, values: {a: 0, b: 1}}}", "*pos")
    path.write_text("name: shared\n" + text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.party_names == ["p", "q"]


@pytest.mark.slow
def test_an_alias_bomb_on_the_command_line_is_one_line_under_a_memory_limit(
    tmp_path: Path,
) -> None:
    path = _bomb(tmp_path / "bomb.yaml")
    proc = subprocess.run(
        [str(BIN / "negsim"), f"scenario_path={path}", "replications=2", "figures=false"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    message = _one_line_error(proc, "negsim")
    assert message.startswith(f"{path}: description.")
    assert "aliases repeat more than 100,000 nodes" in message
    assert "MemoryError" not in proc.stderr


@pytest.mark.parametrize(
    ("key", "value", "got"),
    [
        ("description", "{a: 1, b: [1, 2]}", "a mapping of 2 keys"),
        ("label", "[1, 2, 3]", "a list of 3 items"),
        ("source", "12", "12"),
    ],
)
def test_a_text_field_that_is_not_text_is_one_line(
    tmp_path: Path, key: str, value: str, got: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\n{key}: {value}\n" + PARTIES, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: {key}: must be text, got {got}"


# item 3: linear readers and a stated limit on a domain's size


def _genius(folder: Path, n: int) -> Path:
    """A GENIUS domain with an issue of `n` items and two profiles over it."""
    folder.mkdir()
    items = "".join(f'<item index="{k + 1}" value="v {k}"/>' for k in range(n))
    small = '<item index="1" value="a"/><item index="2" value="b"/>'
    (folder / "domain.xml").write_text(
        '<negotiation_template><utility_space><objective index="0" name="o">'
        f'<issue index="1" name="big" type="discrete">{items}</issue>'
        f'<issue index="2" name="s" type="discrete">{small}</issue>'
        "</objective></utility_space></negotiation_template>"
    )
    for party in "AB":
        evals = "".join(f'<item value="v {k}" evaluation="{k % 7 + 1}"/>' for k in range(n))
        (folder / f"{party}.xml").write_text(
            '<utility_space><objective index="0" name="o">'
            f'<issue index="1" name="big">{evals}</issue>'
            '<issue index="2" name="s"><item value="a" evaluation="1"/>'
            '<item value="b" evaluation="2"/></issue>'
            '<weight index="1" value="0.5"/><weight index="2" value="0.5"/>'
            "</objective></utility_space>"
        )
    return folder


def _geniusweb(folder: Path, n: int) -> Path:
    """A GeniusWeb domain with an issue of `n` values and two profiles over it."""
    folder.mkdir()
    values = [f"value {k}" for k in range(n)]
    issues = {"big": {"values": values}, "s": {"values": ["a", "b"]}}
    (folder / "domain.json").write_text(json.dumps({"name": "big", "issuesValues": issues}))
    for party in "AB":
        utilities = {
            "big": {"DiscreteValueSetUtilities": {"valueUtilities": dict.fromkeys(values, 0.5)}},
            "s": {"DiscreteValueSetUtilities": {"valueUtilities": {"a": 0, "b": 1}}},
        }
        body = {"issueWeights": {"big": 0.5, "s": 0.5}, "issueUtilities": utilities}
        (folder / f"profile{party}.json").write_text(
            json.dumps({"LinearAdditiveUtilitySpace": body})
        )
    return folder


@pytest.mark.slow
def test_a_genius_issue_of_600000_items_is_refused_within_20_seconds(tmp_path: Path) -> None:
    folder = _genius(tmp_path / "huge", 600_000)
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        read_domain(folder)
    elapsed = time.perf_counter() - start
    assert str(caught.value) == (
        f"{folder / 'domain.xml'}: issue 'big': 600,000 values: negsim reads at most "
        f"{MAX_OPTIONS:,} values per issue"
    )
    assert elapsed < 20, f"took {elapsed:.1f} s"  # about 2 s; the quadratic reader never ended


@pytest.mark.slow
def test_domains_at_the_limit_read_in_linear_time(tmp_path: Path) -> None:
    for make, name in ((_genius, "genius"), (_geniusweb, "geniusweb")):
        folder = make(tmp_path / name, MAX_OPTIONS)
        start = time.perf_counter()
        data, _ = read_domain(folder)
        elapsed = time.perf_counter() - start
        assert len(data["issues"]["big"]["options"]) == MAX_OPTIONS
        assert elapsed < 5, f"{name}: took {elapsed:.1f} s"  # about 0.1 s; quadratic took 2.5 s


def test_a_geniusweb_domain_of_40000_values_is_refused_quickly(tmp_path: Path) -> None:
    folder = _geniusweb(tmp_path / "web", 40_000)
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        read_domain(folder)
    assert time.perf_counter() - start < 5  # 49 s before, by list.count
    assert str(caught.value) == (
        f"{folder / 'domain.json'}: issuesValues.big.values: 40,000 values: negsim reads at "
        f"most {MAX_OPTIONS:,} values per issue"
    )


# item 8: deeply nested JSON, a profile holding a list, an evaluation out of range


def _nested_domain(path: Path, depth: int = 100_000) -> Path:
    path.write_text('{"issuesValues": {"x": {"values": ' + "[" * depth + "]" * depth + "}}}")
    return path


def test_deeply_nested_json_is_one_line_naming_the_file(tmp_path: Path) -> None:
    for depth in (150, 100_000):  # under Python's recursion limit, and far over it
        path = _nested_domain(tmp_path / f"deep{depth}.json", depth)
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path, profiles=[path])
        assert str(caught.value) == (
            f"{path}: arrays and objects nested more than 100 deep: negsim reads no deeper"
        )


@pytest.mark.slow
def test_deeply_nested_json_in_negsim_convert_is_one_line(tmp_path: Path) -> None:
    path = _nested_domain(tmp_path / "deep.json")
    proc = subprocess.run(
        [str(BIN / "negsim-convert"), str(path), str(path), "--to", "yaml", "--out", "-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    message = _one_line_error(proc, "negsim-convert")
    assert (
        message == f"{path}: arrays and objects nested more than 100 deep: negsim reads no deeper"
    )


def test_a_geniusweb_profile_holding_a_list_is_named(tmp_path: Path) -> None:
    folder = _geniusweb(tmp_path / "web", 3)
    broken = folder / "profileB.json"
    broken.write_text(json.dumps([json.loads(broken.read_text())]))
    for args in ((folder, None), (folder / "domain.json", [folder / "profileA.json", broken])):
        with pytest.raises(ScenarioError) as caught:
            load_scenario(*args)
        assert str(caught.value).startswith(
            f"{broken}: not a GeniusWeb domain or profile: the file holds a list, where a profile "
            "is an object with one key naming its kind"
        )


def test_a_genius_evaluation_out_of_range_names_the_profile(tmp_path: Path) -> None:
    folder = _genius(tmp_path / "g", 3)
    profile = folder / "A.xml"
    profile.write_text(profile.read_text().replace('evaluation="2"/>', 'evaluation="1e400"/>', 1))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert str(caught.value) == (
        f"{profile}: issue 'big', item 'v 1': evaluation '1e400' is out of range (beyond a "
        "double's 1.8e308)"
    )


def test_a_geniusweb_utility_out_of_range_names_the_profile(tmp_path: Path) -> None:
    folder = _geniusweb(tmp_path / "web", 3)
    profile = folder / "profileA.json"
    profile.write_text(profile.read_text().replace('"value 1": 0.5', '"value 1": 1e400'))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert str(caught.value) == (
        f"{profile}: LinearAdditiveUtilitySpace.issueUtilities.big.DiscreteValueSetUtilities."
        "valueUtilities.value 1: a number out of range (beyond a double's 1.8e308)"
    )
