"""Loading and validating scenarios: the flagship file, overrides and every validation error."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from negsim.errors import NegsimError, ScenarioError
from negsim.formats.load import SCENARIO_DIR, load_scenario
from negsim.scenario import Scenario, parse_scenario
from tests.builders import small_scenario_data, write_scenario_file

FLAGSHIP = "ukraine_2025"
FLAGSHIP_PARTIES = ["us", "russia", "ukraine", "europe"]


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario(FLAGSHIP)


# --- the flagship scenario -------------------------------------------------------------------


def test_load_by_name_and_by_path_agree(flagship: Scenario) -> None:
    path = SCENARIO_DIR / f"{FLAGSHIP}.yaml"
    for other in (load_scenario(path), load_scenario(str(path))):
        assert other.name == flagship.name == FLAGSHIP
        assert other.party_names == flagship.party_names
        assert other.issue_names == flagship.issue_names
        np.testing.assert_array_equal(other.weights, flagship.weights)
        np.testing.assert_array_equal(other.values, flagship.values)
        np.testing.assert_array_equal(other.red_lines, flagship.red_lines)
    assert Path(flagship.source).resolve() == path.resolve()


def test_flagship_parties_and_issues(flagship: Scenario) -> None:
    assert flagship.party_names == FLAGSHIP_PARTIES
    assert len(flagship.issues) >= 10
    for issue in flagship.issues:
        assert 3 <= len(issue.options) <= 5, issue.name
        assert len(issue.option_labels) == len(issue.options)
    assert flagship.required.all()


def test_flagship_arrays(flagship: Scenario) -> None:
    n_parties, n_issues = len(flagship.parties), len(flagship.issues)
    k = int(flagship.n_options.max())

    assert flagship.n_options.shape == (n_issues,)
    assert flagship.option_mask.shape == (n_issues, k)
    assert flagship.option_mask.dtype == bool
    np.testing.assert_array_equal(flagship.option_mask.sum(axis=1), flagship.n_options)

    assert flagship.weights.shape == (n_parties, n_issues)
    assert (flagship.weights >= 0).all()
    np.testing.assert_allclose(flagship.weights.sum(axis=1), 1.0, atol=1e-9)

    values = flagship.values
    assert values.shape == (n_parties, n_issues, k)
    assert ((values >= 0) & (values <= 1)).all()
    assert (values[:, ~flagship.option_mask] == 0).all()
    # The file's convention: on each issue a party's best option is worth 1.0.
    np.testing.assert_array_equal(values.max(axis=2), 1.0)

    red = flagship.red_lines
    assert red.shape == (n_parties, n_issues, k)
    assert red.dtype == bool
    assert not red[:, ~flagship.option_mask].any()
    # No party red-lines every option of an issue.
    assert not (red | ~flagship.option_mask).all(axis=2).any()

    assert flagship.reservations.shape == (n_parties,)
    assert ((flagship.reservations >= 0) & (flagship.reservations <= 1)).all()
    assert flagship.required.shape == (n_parties,)


def test_flagship_arrays_match_parties(flagship: Scenario) -> None:
    for p, party in enumerate(flagship.parties):
        for i, issue in enumerate(flagship.issues):
            assert flagship.weights[p, i] == party.weights[issue.name]
            for k, option in enumerate(issue.options):
                assert flagship.values[p, i, k] == party.values[issue.name][option]
                assert flagship.red_lines[p, i, k] == (
                    option in party.red_lines.get(issue.name, ())
                )
    ukraine = FLAGSHIP_PARTIES.index("ukraine")
    crimea = flagship.issue_names.index("crimea")
    assert flagship.red_lines[ukraine, crimea].any()


def test_override_changes_a_copy(flagship: Scenario) -> None:
    before = copy.deepcopy(flagship.data)
    original = flagship.party("ukraine").reservation
    assert original != 0.4

    changed = flagship.override({"parties.ukraine.reservation": 0.4})

    assert changed.party("ukraine").reservation == 0.4
    assert changed.reservations[FLAGSHIP_PARTIES.index("ukraine")] == 0.4
    assert changed.data["parties"]["ukraine"]["reservation"] == 0.4
    assert flagship.party("ukraine").reservation == original
    assert flagship.data == before
    assert changed.party("russia").reservation == flagship.party("russia").reservation


def test_with_party_changes_a_copy(flagship: Scenario) -> None:
    before = copy.deepcopy(flagship.data)
    changed = flagship.with_party(
        "ukraine", reservation=0.4, deadline=30, strategy={"name": "linear"}
    )
    party = changed.party("ukraine")
    assert (party.reservation, party.deadline, party.strategy_name) == (0.4, 30, "linear")
    original = flagship.party("ukraine")
    assert (original.reservation, original.deadline, original.strategy_name) == (
        0.45,
        None,
        "boulware",
    )
    assert flagship.data == before


def test_override_of_a_nested_value(flagship: Scenario) -> None:
    changed = flagship.override({"parties.us.positions.crimea.values.no_recognition": 0.0})
    assert changed.party("us").values["crimea"]["no_recognition"] == 0.0
    assert flagship.party("us").values["crimea"]["no_recognition"] != 0.0


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"parties.nobody.reservation": 0.4}, "parties.nobody"),
        ({"partys.ukraine.reservation": 0.4}, "partys"),
        ({"parties.ukraine.reservation.low": 0.4}, "parties.ukraine.reservation.low"),
        ({"parties.us.red_lines.guarantees.0": "none"}, "parties.us.red_lines.guarantees.0"),
    ],
)
def test_override_of_a_missing_key(flagship: Scenario, changes: dict[str, Any], key: str) -> None:
    with pytest.raises(ScenarioError, match=rf": {re.escape(key)}: no such key to override$"):
        flagship.override(changes)


def test_override_adding_an_unknown_leaf_key_is_rejected(flagship: Scenario) -> None:
    with pytest.raises(ScenarioError, match=r": parties\.ukraine\.reservaton: unknown key"):
        flagship.override({"parties.ukraine.reservaton": 0.4})


def test_override_is_validated(flagship: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        flagship.override({"parties.ukraine.reservation": 1.4})
    message = str(info.value)
    assert "\n" not in message
    assert f"{FLAGSHIP}.yaml" in message
    assert re.search(r": parties\.ukraine\.reservation: must lie in \[0, 1\], got 1\.4$", message)


def test_with_party_of_an_unknown_party(flagship: Scenario) -> None:
    with pytest.raises(ScenarioError, match=r": parties\.nobody: no such party$"):
        flagship.with_party("nobody", reservation=0.4)


# --- the builders' scenarios are valid --------------------------------------------------------


def test_small_scenario_is_valid(small_scenario: dict[str, Any]) -> None:
    scenario = parse_scenario(small_scenario)
    assert scenario.party_names == ["p0", "p1"]
    assert scenario.issue_names == ["i0", "i1"]
    assert scenario.values.shape == (2, 2, 3)


def test_scenario_error_is_a_negsim_error() -> None:
    error = ScenarioError("file.yaml", "parties.p0", "problem")
    assert isinstance(error, NegsimError)
    assert str(error) == "file.yaml: parties.p0: problem"
    assert (error.source, error.path, error.problem) == ("file.yaml", "parties.p0", "problem")


# --- validation errors ------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], object]


def _p0(data: dict[str, Any]) -> dict[str, Any]:
    return data["parties"]["p0"]


def _pos(data: dict[str, Any], issue: str = "i0") -> dict[str, Any]:
    return _p0(data)["positions"][issue]


def _set_weights(*weights: float) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for i, weight in enumerate(weights):
            _pos(data, f"i{i}")["weight"] = weight

    return mutate


def _rename_issue(new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["issues"][new] = data["issues"].pop("i0")
        for party in data["parties"].values():
            party["positions"][new] = party["positions"].pop("i0")

    return mutate


def _rename_party(new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["parties"][new] = data["parties"].pop("p0")

    return mutate


def _rename_option(new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        options = data["issues"]["i0"]["options"]
        options[new] = options.pop("o0")
        for party in data["parties"].values():
            values = party["positions"]["i0"]["values"]
            values[new] = values.pop("o0")

    return mutate


def _only_one_option(data: dict[str, Any]) -> None:
    data["issues"]["i0"]["options"] = {"o0": "The only option"}
    for party in data["parties"].values():
        party["positions"]["i0"]["values"] = {"o0": 1.0}


def _single_party(data: dict[str, Any]) -> None:
    del data["parties"]["p1"]


def _no_required_party(data: dict[str, Any]) -> None:
    for party in data["parties"].values():
        party["required"] = False


def _reservation_above_best(data: dict[str, Any]) -> None:
    # Without its best option on i0 (worth 1.0, weight 0.5) p0 reaches at most 0.75.
    _p0(data)["red_lines"] = {"i0": ["o2"]}
    _p0(data)["reservation"] = 0.8


# Each case: an id, a change to a valid small scenario, the key path the message must name and a
# regular expression for the problem that follows it.
VALIDATION_CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "weight-negative",
        lambda d: _pos(d).update(weight=-0.1),
        "parties.p0.positions.i0.weight",
        r"must lie in \[0, 1\], got -0\.1",
    ),
    (
        "weights-not-summing-to-1",
        _set_weights(0.5, 0.7),
        "parties.p0.positions",
        r"weights must sum to 1, they sum to 1\.2",
    ),
    (
        "weights-summing-below-1",
        _set_weights(0.2, 0.3),
        "parties.p0.positions",
        r"weights must sum to 1, they sum to 0\.5",
    ),
    (
        "weight-missing",
        lambda d: _pos(d).pop("weight"),
        "parties.p0.positions.i0.weight",
        r"missing",
    ),
    (
        "weight-not-a-number",
        lambda d: _pos(d).update(weight="half"),
        "parties.p0.positions.i0.weight",
        r"must be a number, got 'half'",
    ),
    (
        "position-on-unknown-issue",
        lambda d: _p0(d)["positions"].update(i9={"weight": 0.0, "values": {"o0": 1.0}}),
        "parties.p0.positions.i9",
        r"issue unknown to the scenario",
    ),
    (
        "position-missing",
        lambda d: _p0(d)["positions"].pop("i1"),
        "parties.p0.positions.i1",
        r"missing: every party needs a position on every issue",
    ),
    (
        "option-value-missing",
        lambda d: _pos(d)["values"].pop("o2"),
        "parties.p0.positions.i0.values.o2",
        r"missing value for this option",
    ),
    (
        "option-value-extra",
        lambda d: _pos(d)["values"].update(o9=0.5),
        "parties.p0.positions.i0.values.o9",
        r"not an option of i0",
    ),
    (
        "option-value-above-1",
        lambda d: _pos(d)["values"].update(o1=1.5),
        "parties.p0.positions.i0.values.o1",
        r"must lie in \[0, 1\], got 1\.5",
    ),
    (
        "option-value-below-0",
        lambda d: _pos(d)["values"].update(o1=-0.2),
        "parties.p0.positions.i0.values.o1",
        r"must lie in \[0, 1\], got -0\.2",
    ),
    (
        "reservation-above-1",
        lambda d: _p0(d).update(reservation=1.2),
        "parties.p0.reservation",
        r"must lie in \[0, 1\], got 1\.2",
    ),
    (
        "reservation-below-0",
        lambda d: _p0(d).update(reservation=-0.1),
        "parties.p0.reservation",
        r"must lie in \[0, 1\], got -0\.1",
    ),
    (
        "reservation-missing",
        lambda d: _p0(d).pop("reservation"),
        "parties.p0.reservation",
        r"missing",
    ),
    (
        "strategy-unknown",
        lambda d: _p0(d).update(strategy="telepathy"),
        "parties.p0.strategy.name",
        r"unknown strategy 'telepathy' \(known: .*boulware.*\)",
    ),
    (
        "strategy-unknown-in-mapping",
        lambda d: _p0(d).update(strategy={"name": "telepathy", "exponent": 0.5}),
        "parties.p0.strategy.name",
        r"unknown strategy 'telepathy'",
    ),
    (
        "strategy-name-missing",
        lambda d: _p0(d).update(strategy={"exponent": 0.5}),
        "parties.p0.strategy.name",
        r"must name a strategy, got None",
    ),
    (
        "strategy-unknown-parameter",
        lambda d: _p0(d).update(strategy={"name": "boulware", "speed": 2}),
        "parties.p0.strategy.speed",
        r"unknown parameter 'speed' for strategy 'boulware' \(known: exponent\)",
    ),
    (
        "strategy-bad-parameter-value",
        lambda d: _p0(d).update(strategy={"name": "boulware", "exponent": 1.5}),
        "parties.p0.strategy.exponent",
        r"parameter 'exponent' of 'boulware' must lie in \(0, 1\).*got 1\.5",
    ),
    (
        "strategy-parameter-not-a-number",
        lambda d: _p0(d).update(strategy={"name": "boulware", "exponent": "slow"}),
        "parties.p0.strategy.exponent",
        r"parameter 'exponent' of 'boulware' must be a finite number, got 'slow'",
    ),
    (
        "strategy-parameter-infinite",
        lambda d: _p0(d).update(strategy={"name": "noisy_boulware", "noise": float("inf")}),
        "parties.p0.strategy.noise",
        r"parameter 'noise' of 'noisy_boulware' must be a finite number, got inf",
    ),
    (
        "red-line-unknown-option",
        lambda d: _p0(d).update(red_lines={"i0": ["o9"]}),
        "parties.p0.red_lines.i0",
        r"'o9' is not an option of i0",
    ),
    (
        "red-line-empty-list",
        lambda d: _p0(d).update(red_lines={"i0": []}),
        "parties.p0.red_lines.i0",
        r"a red line must name at least one option of the issue",
    ),
    (
        "red-line-unknown-issue",
        lambda d: _p0(d).update(red_lines={"i9": ["o0"]}),
        "parties.p0.red_lines.i9",
        r"issue unknown to the scenario",
    ),
    (
        "parties-empty",
        lambda d: d.update(parties={}),
        "parties",
        r"the scenario needs at least two parties, got none",
    ),
    (
        "parties-missing",
        lambda d: d.pop("parties"),
        "parties",
        r"the scenario needs at least two parties, got none",
    ),
    (
        "single-party",
        _single_party,
        "parties",
        r"the scenario needs at least two parties, got 1",
    ),
    (
        "reservation-above-best-outcome",
        _reservation_above_best,
        "parties.p0.reservation",
        r"the party can never accept anything: its best outcome is worth 0\.75, "
        r"below its reservation value 0\.8",
    ),
    (
        "every-option-red-lined",
        lambda d: _p0(d).update(red_lines={"i0": ["o0", "o1", "o2"]}),
        "parties.p0.red_lines.i0",
        r"the party can never accept anything: every option is a red line",
    ),
    (
        "deadline-zero",
        lambda d: _p0(d).update(deadline=0),
        "parties.p0.deadline",
        r"must be a whole number of rounds >= 1, got 0",
    ),
    (
        "deadline-not-integer",
        lambda d: _p0(d).update(deadline=2.5),
        "parties.p0.deadline",
        r"must be a whole number of rounds >= 1, got 2\.5",
    ),
    (
        "deadline-text",
        lambda d: _p0(d).update(deadline="soon"),
        "parties.p0.deadline",
        r"must be a whole number of rounds >= 1, got 'soon'",
    ),
    (
        "required-not-boolean",
        lambda d: _p0(d).update(required="yes"),
        "parties.p0.required",
        r"must be true or false, got 'yes'",
    ),
    (
        "no-required-party",
        _no_required_party,
        "parties",
        r"at least one party must be required for agreement",
    ),
    (
        "unknown-top-level-key",
        lambda d: d.update(colour="blue"),
        "colour",
        r"unknown key \(known: .*issues.*parties.*\)",
    ),
    (
        "unknown-party-key",
        lambda d: _p0(d).update(walk_away=True),
        "parties.p0.walk_away",
        r"unknown key \(known: .*reservation.*\)",
    ),
    (
        "unknown-issue-key",
        lambda d: d["issues"]["i0"].update(weight=0.5),
        "issues.i0.weight",
        r"unknown key \(known: label, options, ordered, source\)",
    ),
    (
        "ordered-not-a-flag",
        lambda d: d["issues"]["i0"].update(ordered="yes"),
        "issues.i0.ordered",
        r"must be true or false, got 'yes'",
    ),
    (
        "unknown-position-key",
        lambda d: _pos(d).update(value=0.5),
        "parties.p0.positions.i0.value",
        r"unknown key \(known: source, values, weight\)",
    ),
    (
        "unknown-uncertainty-key",
        lambda d: _p0(d).update(uncertainty={"deadline": 3}),
        "parties.p0.uncertainty.deadline",
        r"unknown key \(known: reservation, values, weights\)",
    ),
    (
        "issue-name-starting-with-digit",
        _rename_issue("1st_issue"),
        "issues.1st_issue",
        r"name '1st_issue' must be letters, digits and _ \(not first a digit\)",
    ),
    (
        "party-name-with-hyphen",
        _rename_party("p-0"),
        "parties.p-0",
        r"name 'p-0' must be letters, digits and _ \(not first a digit\)",
    ),
    (
        "option-name-with-space",
        _rename_option("o 0"),
        "issues.i0.options.o 0",
        r"name 'o 0' must be letters, digits and _ \(not first a digit\)",
    ),
    (
        "issue-with-one-option",
        _only_one_option,
        "issues.i0.options",
        r"an issue needs at least two options, got 1",
    ),
    (
        "issue-with-no-options",
        lambda d: d["issues"]["i0"].update(options=[]),
        "issues.i0.options",
        r"an issue needs at least two options, got none",
    ),
    (
        "issues-missing",
        lambda d: d.pop("issues"),
        "issues",
        r"the scenario needs at least one issue, got none",
    ),
    (
        "issue-with-duplicate-options",
        lambda d: d["issues"]["i0"].update(options=["o0", "o0", "o1", "o2"]),
        "issues.i0.options",
        r"option names must be distinct",
    ),
    (
        "issue-option-not-a-name",
        lambda d: d["issues"]["i0"].update(options=[["o0"], "o1", "o2"]),
        "issues.i0.options.['o0']",
        r"name \['o0'\] must be letters, digits and _",
    ),
    (
        "unknown-keys-of-mixed-types",
        lambda d: d.update({1: "one", "colour": "blue"}),
        "1",
        r"unknown key \(known: .*\)",
    ),
    (
        "strategy-parameter-name-not-text",
        lambda d: _p0(d).update(strategy={"name": "boulware", 1: 0.5}),
        "parties.p0.strategy.1",
        r"parameter names are text, got 1",
    ),
    (
        "uncertainty-infinite",
        lambda d: _p0(d).update(uncertainty={"weights": float("inf")}),
        "parties.p0.uncertainty.weights",
        r"must be a number, got inf",
    ),
    (
        "value-not-a-number",
        lambda d: _pos(d)["values"].update(o1=float("nan")),
        "parties.p0.positions.i0.values.o1",
        r"must be a number, got nan",
    ),
    (
        "party-not-a-mapping",
        lambda d: d["parties"].update(p0=[1, 2]),
        "parties.p0",
        r"must be a mapping, got list",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [pytest.param(m, k, p, id=name) for name, m, k, p in VALIDATION_CASES],
)
def test_validation_error(tmp_path: Path, mutate: Mutation, key: str, problem: str) -> None:
    data = small_scenario_data()
    parse_scenario(copy.deepcopy(data))  # valid before the change
    mutate(data)
    path = write_scenario_file(tmp_path / "broken.yaml", data)

    with pytest.raises(
        ScenarioError, match=rf"^.*broken\.yaml: {re.escape(key)}: {problem}"
    ) as info:
        load_scenario(path)

    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert info.value.path == key


def test_validation_error_without_a_file_names_the_source() -> None:
    data = small_scenario_data()
    _p0(data)["reservation"] = 1.2
    with pytest.raises(ScenarioError, match=r"^inline: parties\.p0\.reservation: must lie in"):
        parse_scenario(data, source="inline")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: bad\nlabel: x: y\nissues: {}\n", 2),
        ("name: bad\nissues:\n  i0: {options: [a, b]\n  i1: x\nparties: {}\n", 4),
        ("name: bad\nlabel: fine\n  issues: 3\nparties: 2\n", 3),
        ("name: bad\nissues:\n\ti0: 1\n", 3),  # a tab in the indentation
        ("name: bad\nlabel: a\nlabel: b\n", 3),  # a key given twice
    ],
)
def test_invalid_yaml_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    pattern = rf"^{re.escape(str(path))}: line {line}, column \d+: not valid YAML: \S"
    assert re.match(pattern, message), message


@pytest.mark.slow
def test_duplicate_keys_fail_the_same_way_on_both_paths(tmp_path: Path) -> None:
    """load_scenario and the command line (Hydra's loader) both reject a key given twice."""
    import subprocess
    import sys

    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    path = write_scenario_file(tmp_path / "mine" / "scenario" / "twice.yaml", small_scenario_data())
    text = path.read_text().replace("reservation: 0.3", "reservation: 0.3\n    reservation: 0.5", 1)
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    negsim = Path(sys.executable).parent / "negsim"
    proc = subprocess.run(  # Hydra composes the file itself: --config-dir, scenario=NAME
        [str(negsim), "--config-dir", "mine", "scenario=twice"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "found duplicate key reservation" in str(info.value)
    relative = str(info.value).split(": ", 1)[1]  # the same line after the file's name
    assert proc.stderr.strip() == f"negsim: error: mine/scenario/twice.yaml: {relative}"


def test_scenario_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"list\.yaml: must be a mapping, got list$"):
        load_scenario(path)


@pytest.mark.parametrize("name", ["nope", "nope.yaml", "configs/scenario/nope.yaml"])
def test_unknown_scenario_name_lists_known_names(name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(name)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    assert "no such scenario file" in message
    known = re.search(r"known names: ([^)]*)\)", message)
    assert known is not None
    assert FLAGSHIP in known.group(1).split(", ")


def test_yaml_booleans_as_option_names_say_to_quote(tmp_path: Path) -> None:
    """`options: [Yes, No]` reads as booleans in YAML: the message says so, not just `True`."""
    path = write_scenario_file(tmp_path / "forum.yaml", small_scenario_data())
    text = path.read_text().replace("o0: Option 0 of issue 0", "Yes: Option 0 of issue 0")
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"issues\.i0\.options\.True: .*quote it \('yes'\)"):
        load_scenario(path)
