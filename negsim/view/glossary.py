"""The words the teaching view uses, each in a sentence a class can read, beside the view.

`GLOSSARY` is plain data (tests check that every term the view shows has its line); `Glossary`
shows it folded under the title, so a projector keeps its room for the story.
"""

from __future__ import annotations

import solara

GLOSSARY = {
    "reservation (walk-away value)": "What a party gets with no deal. It never accepts a deal "
    "worth less to it, and walks away when nothing still open beats it.",
    "utility": "How much a deal is worth to a party, from 0 (its worst) to 1 (its best), "
    "adding up what each issue's option is worth to it, weighted by how much that issue matters.",
    "target (what it asks for)": "The utility a party asks for now. It starts near its best and "
    "falls towards its walk-away value as its deadline nears.",
    "exponent": "How a time-dependent party concedes: below 1 it holds out and concedes late "
    "(Boulware), 1 steadily (linear), above 1 it concedes early (Conceder).",
    "Boulware": "A party that keeps asking for nearly everything until close to its deadline.",
    "Conceder": "A party that gives ground early.",
    "red line": "An option a party never accepts, whatever the rest of the deal.",
    "deadline": "The round after which a party walks away; rounds the others see coming.",
    "Pareto frontier": "The deals no other deal beats for both parties at once: moving along "
    "it, one party gains only what the other loses.",
    "Nash point": "The deal that maximises the product of both parties' gains over their "
    "walk-away values: a standard idea of a fair split.",
    "zone of possible agreement (ZOPA)": "The deals every required party values at or above "
    "its walk-away value. No ZOPA, no deal.",
    "agreement probability": "The share of many negotiations with these settings (and fresh "
    "draws of the uncertain numbers) that end in a deal.",
    "95% interval": "The range the agreement probability lies in with 95% confidence, given "
    "how many negotiations were run: more negotiations, a narrower range.",
    "noise floor": "How much a number that changes nothing but the random draws seems to move "
    "the odds: effects within it may be chance.",
}


@solara.component
def Glossary() -> None:
    """The glossary, folded: one line per term."""
    with solara.Details("Words used here"):
        solara.Markdown("\n".join(f"- **{term}**: {text}" for term, text in GLOSSARY.items()))
