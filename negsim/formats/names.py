"""Names for imported options, issues and parties: identifiers made from the formats' free text.

negsim names are identifiers (`^[A-Za-z_][A-Za-z0-9_]*$`) that YAML reads back as text; GENIUS
and GeniusWeb names are free text (`$10 billion`, `Custom, Handmade`, `No`). A name that is
already an identifier, and not a word YAML reads as true, false or null, is kept as it is; any
other gets a lower-case identifier by the rule of `identifier`, and the original text becomes
its label. The rule is deterministic, so exporting a label gives back the same name on import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "y", "n", "null"})
"""Words (in any case) that YAML 1.1 readers, PyYAML's and OmegaConf's, take for a boolean or
null, and so never names: `No` becomes `no_`."""

_SYMBOLS = {
    "$": "usd",
    "€": "eur",
    "£": "gbp",
    "¥": "jpy",
    "%": "pct",
    "+": "plus",
    "&": "and",
    "@": "at",
    "#": "num",
    "<": "lt",
    ">": "gt",
    "=": "eq",
}


def is_name(text: str) -> bool:
    """True when `text` can stand as a negsim name as it is."""
    return bool(NAME.match(text)) and text.lower() not in YAML_WORDS


def identifier(text: str, fallback: str = "x") -> str:
    """The identifier for `text`: itself when it already is one, otherwise a lower-case rewrite.

    The rewrite transliterates accents, spells out `$ € £ ¥ % + & @ # < > =` as words (`usd`,
    `pct`, `plus`, ...), a leading minus before a digit as `minus`, joins the runs of letters and
    digits with `_`, puts `_` before a leading digit, and `_` after a YAML word; `fallback` stands
    for text with no letters or digits at all.

    >>> [identifier(t) for t in ["Price", "$10 billion", "5% spoilage", "No", "0", "Café-Bar"]]
    ['Price', 'usd_10_billion', '_5_pct_spoilage', 'no_', '_0', 'cafe_bar']
    """
    if NAME.match(text):
        return text if text.lower() not in YAML_WORDS else text.lower() + "_"
    pieces = []
    stripped = text.strip()
    if re.match(r"-\s*\d", stripped):
        pieces.append(" minus ")
        stripped = stripped[1:]
    for char in unicodedata.normalize("NFKD", stripped):
        if char in _SYMBOLS:
            pieces.append(f" {_SYMBOLS[char]} ")
        elif char.isascii() and char.isalnum():
            pieces.append(char)
        elif not unicodedata.combining(char):
            pieces.append(" ")
    words = re.findall(r"[a-z0-9]+", "".join(pieces).lower())
    name = "_".join(words) or fallback
    if name[0].isdigit():
        name = "_" + name
    if name in YAML_WORDS:
        name += "_"
    return name


def identifiers(texts: Sequence[str], fallback: str = "x") -> list[str]:
    """Distinct identifiers for `texts`, in order (for the options of one issue, say).

    Texts that are names already keep them; the others get `identifier(text)`, with `_2`, `_3`,
    ... added in order where that is taken.

    >>> identifiers(["a b", "a-b", "a_b"])
    ['a_b_2', 'a_b_3', 'a_b']
    """
    kept = {text for text in texts if is_name(text)}
    taken = set(kept)
    first = set()
    tried: dict[str, int] = {}  # base -> the last suffix tried: every lower one is taken
    out = []
    for text in texts:
        if text in kept and text not in first:
            first.add(text)
            out.append(text)
            continue
        base = identifier(text, fallback)
        count = tried.get(base, 1)
        name = base if count == 1 else f"{base}_{count}"
        while name in taken:
            count += 1
            name = f"{base}_{count}"
        tried[base] = count
        taken.add(name)
        out.append(name)
    return out


def written_names(names: Sequence[str], labels: Sequence[str], fallback: str = "x") -> list[str]:
    """The strings to write for `names` in another format: each label where that imports back as
    the same name, otherwise the names themselves.

    So a domain exported after import carries its original strings (`$10 billion`), and a negsim
    name with a descriptive label (`us_de_jure`, "US legal recognition") is written as its name.
    `fallback` is the one importing uses for these names (`identifiers`).
    """
    names = list(names)
    for chosen in (
        list(labels),
        [
            label if identifier(label) == name else name
            for name, label in zip(names, labels, strict=True)
        ],
    ):
        if (
            all(chosen)
            and len(set(chosen)) == len(chosen)
            and identifiers(chosen, fallback) == names
        ):
            return chosen
    return names


def natural_key(text: str) -> list[str | int]:
    """Sort key that orders `party2` before `party10`."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def safe_stem(text: str) -> bool:
    """True when `text` can be a file name in a folder of its own on any common system."""
    return (
        bool(text)
        and text not in {".", ".."}
        and len(text) <= 120
        and not re.search(r'[\x00-\x1f/\\:*?"<>|]', text)
        and text == text.strip()
        and not text.endswith(".")
    )
