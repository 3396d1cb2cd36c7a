"""Today's engine against the golden runs (`regenerate.py`), to the last bit.

A failure here means the engine's numbers changed. If that was meant, regenerate the files in
the same change and say why in its message; if not, it is a bug.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.golden.regenerate import CASES, HERE, run_case


@pytest.mark.parametrize("name", [case[0] for case in CASES])
def test_results_and_series_match_the_golden_run_bit_for_bit(name: str) -> None:
    results, series = run_case(name)
    pd.testing.assert_frame_equal(
        results, pd.read_parquet(HERE / f"{name}.results.parquet"), check_exact=True
    )
    pd.testing.assert_frame_equal(
        series, pd.read_parquet(HERE / f"{name}.series.parquet"), check_exact=True
    )


def test_every_case_has_its_files() -> None:
    written = {p.name.split(".")[0] for p in HERE.glob("*.parquet")}
    assert written == {case[0] for case in CASES}
