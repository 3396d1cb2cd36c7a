"""Convert the classic GENIUS domains into the scenario library, `configs/scenario/*.yaml`.

Each case is read with negsim's GENIUS importer (`negsim.formats.read_domain`) from the public
domain files in `../shared/genius/`, its parties renamed and labelled, a description, origin and
licence note added, and written with `scenario_yaml`; the numbers are the importer's, untouched.
`tests/formats/test_library.py` checks every shipped case against the GENIUS formula.

    .venv/bin/python experiments/classic_domains/build_library.py [--genius ../shared/genius]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from negsim.formats import read_domain, scenario_yaml
from negsim.formats.load import SCENARIO_DIR
from negsim.scenario import parse_scenario

LICENCE = (
    "Domain and profiles are public data distributed with the GENIUS negotiation environment "
    "(Interactive Intelligence group, TU Delft) for research and teaching; the files state no "
    "licence of their own. Cite the competition that used them, and check GENIUS's terms before "
    "redistributing them outside negsim."
)


@dataclass(frozen=True)
class Case:
    """One classic case: where its files are and what to call it."""

    name: str
    label: str
    folder: str
    domain: str
    parties: dict[str, tuple[str, str]]  # profile file -> (party name, party label)
    description: str
    origin: str


CASES = (
    Case(
        name="england_zimbabwe",
        label="England–Zimbabwe: a fund for tobacco-related health (ANAC 2010)",
        folder="england_zimbabwe_2010",
        domain="EnglandZimbabwe_domain.xml",
        parties={"England.xml": ("england", "England"), "Zimbabwe.xml": ("zimbabwe", "Zimbabwe")},
        description=(
            "England and Zimbabwe negotiate an agreement on tobacco control: the size of a fund "
            "for health, its effect on other aid, each side's trade policy, and a forum on other "
            "health issues. Based on a case from the UN Framework Convention on Tobacco Control "
            "talks; 576 outcomes, two parties with opposed but not mirror-image preferences."
        ),
        origin="GENIUS 10.4 templates, ANAC 2010 domain EnglandZimbabwe (Baarslag et al. 2012)",
    ),
    Case(
        name="itex_cypress",
        label="Itex–Cypress: a buyer and a seller of bicycle components",
        folder="itex_cypress",
        domain="ItexvsCypress_domain.xml",
        parties={
            "ItexvsCypress_Itex.xml": ("itex", "Itex (seller)"),
            "ItexvsCypress_Cypress.xml": ("cypress", "Cypress (buyer)"),
        },
        description=(
            "Itex, a manufacturer of bicycle components, sells to Cypress Cycles: price, "
            "delivery time, payment arrangement and terms for returns. The textbook buyer–seller "
            "case (Kersten's Inspire negotiations); 180 outcomes, strongly opposed on price."
        ),
        origin="GENIUS 10.4 templates, ANAC 2010 domain ItexvsCypress (profiles Itex, Cypress)",
    ),
    Case(
        name="party_domain",
        label="Party domain: four friends plan a party",
        folder="party",
        domain="party_domain.xml",
        parties={f"party{n}_utility.xml": (f"friend{n}", f"Friend {n}") for n in (1, 2, 3, 4)},
        description=(
            "Four friends organise a party together: food, drinks, location, invitations, music "
            "and clean-up. GENIUS's classroom domain, here with four of its nine profiles "
            "(party1 to party4); 3,072 outcomes, every party required."
        ),
        origin="GENIUS 10.4 templates, partydomain (profiles party1_utility to party4_utility)",
    ),
    Case(
        name="politics_2015",
        label="Politics: three parties form a coalition programme (ANAC 2015)",
        folder="politics_2015",
        domain="Politics.xml",
        parties={f"Politics_util{n}.xml": (f"party{n}", f"Party {n}") for n in (1, 2, 3)},
        description=(
            "Three political parties negotiate a coalition programme: social security, labour "
            "and environmental tax, the use of the army, immigration, staying in or leaving the "
            "EU, the economy and drug policy. ANAC 2015's multilateral domain; 23,040 outcomes."
        ),
        origin="ANAC 2015 multilateral domain group2-politics (profiles Politics_util1 to 3)",
    ),
)


def build(case: Case, genius: Path) -> str:
    """The case's scenario file: a header comment, then the converted mapping."""
    folder = genius / case.folder
    files = list(case.parties)
    data, _ = read_domain(folder / case.domain, [folder / f for f in files])
    by_file = dict(zip(files, data["parties"].values(), strict=True))
    parties = {}
    for file, (name, label) in case.parties.items():
        spec = dict(by_file[file])
        spec["label"] = label
        parties[name] = spec
    mapping = {
        "name": case.name,
        "label": case.label,
        "description": f"{case.description} Licence: {LICENCE}",
        "source": case.origin,
        "issues": data["issues"],
        "parties": parties,
    }
    parse_scenario(mapping, source=case.name)  # valid before it is written
    header = (
        f"# {case.label}\n# Origin: {case.origin}.\n"
        f"# Converted by experiments/classic_domains/build_library.py from ../shared/genius/"
        f"{case.folder}; numbers as GENIUS computes them (evaluations over each issue's best).\n"
    )
    return header + scenario_yaml(mapping)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--genius", type=Path, default=root.parent / "shared" / "genius")
    parser.add_argument("--out", type=Path, default=SCENARIO_DIR)
    args = parser.parse_args(argv)
    for case in CASES:
        path = args.out / f"{case.name}.yaml"
        path.write_text(build(case, args.genius), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
