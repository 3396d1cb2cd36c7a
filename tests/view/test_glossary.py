"""Plain words in the view: the glossary covers its terms, shares never read as 0.00%, the deal
table wraps instead of scrolling."""

from __future__ import annotations

import pandas as pd

from negsim.view.glossary import GLOSSARY
from negsim.view.panels import markdown_table
from negsim.view.state import percent


def test_every_term_the_view_uses_has_a_line() -> None:
    terms = " ".join(GLOSSARY).lower()
    for term in ("reservation", "exponent", "boulware", "conceder", "pareto frontier",
                 "nash point", "zone of possible agreement", "95% interval", "red line",
                 "noise floor"):  # fmt: skip
        assert term in terms, term
    assert all(text.endswith(".") and "\n" not in text for text in GLOSSARY.values())


def test_small_shares_keep_their_digits() -> None:
    assert percent(390 / 12_582_912) == "0.0031%"
    assert percent(58_005 / 12_582_912) == "0.46%"
    assert percent(0.0) == "0.00%"
    assert percent(1.0) == "100.00%"


def test_the_deal_table_is_markdown_without_an_index_or_a_pager() -> None:
    columns = {"issue": ["Crimea", "NATO"], "deal": ["a | b", "c"], "Russia": ["✓ a", "x"]}
    frame = pd.DataFrame(columns)
    assert markdown_table(frame).splitlines() == [
        "| issue | deal | Russia |",
        "|:---|:---|:---|",
        "| Crimea | a / b | ✓ a |",
        "| NATO | c | x |",
    ]
