"""The results record every number drawn per replication that varies, and only those."""

from __future__ import annotations

import numpy as np
import pandas as pd

from negsim.analysis.drawn import RESERVATION, VALUE, WEIGHT, drawn_numbers
from negsim.model import NegotiationModel
from negsim.runs.batch import run_batches
from negsim.scenario import parse_scenario
from tests.builders import small_scenario_data


def _scenario(**uncertainty: dict[str, float]) -> object:
    data = small_scenario_data(3, 3, 3)
    for party, spreads in uncertainty.items():
        data["parties"][party]["uncertainty"] = spreads
    data["parties"]["p2"]["positions"]["i2"]["weight"] = 0.0  # a weight that never varies
    data["parties"]["p2"]["positions"]["i0"]["weight"] = 2 / 3
    return parse_scenario(data)


def test_the_columns_hold_exactly_the_models_draws() -> None:
    scenario = _scenario(p0={"values": 0.1}, p2={"weights": 20, "reservation": 0.1})
    model = NegotiationModel(scenario, replications=40, seed=4).run(progress=False)
    results = model.results()
    drawn = [c for c in results.columns if c.startswith(("weight_", "value_"))]
    numbers = drawn_numbers([scenario])
    assert drawn == [n.column for n in numbers if n.kind != RESERVATION]
    assert [n.column for n in numbers if n.kind == RESERVATION] == ["reservation_p2"]
    assert drawn == [f"value_p0_i{i}_o{k}" for i in range(3) for k in range(3)] + [
        "weight_p2_i0",  # p2 gives i2 no weight: its weight is 0 in every replication
        "weight_p2_i1",
    ]
    for n in numbers:
        column = results[n.column].to_numpy()
        if n.kind == WEIGHT:
            expected = model.draws.weights[n.party, :, n.issue].astype(np.float32)
        elif n.kind == VALUE:
            expected = model.draws.values[n.party, :, n.issue, n.option].astype(np.float32)
        else:
            expected = model.draws.reservations[n.party]
        np.testing.assert_array_equal(column, expected)
        assert column.dtype == expected.dtype and np.ptp(column) > 0


def test_nothing_drawn_no_columns() -> None:
    results = NegotiationModel(_scenario(), replications=5, seed=0).run(progress=False).results()
    assert not [c for c in results.columns if c.startswith(("weight_", "value_"))]
    assert drawn_numbers([_scenario()]) == []


def test_the_columns_do_not_depend_on_the_batching() -> None:
    scenario = _scenario(p1={"weights": 30, "values": 0.05})
    whole = NegotiationModel(scenario, replications=23, seed=9).run(progress=False).results()
    batched = run_batches(scenario, 23, seed=9, batch_size=7).results
    columns = [c for c in whole.columns if c.startswith(("weight_", "value_", "reservation_"))]
    pd.testing.assert_frame_equal(batched[columns], whole[columns])
