"""Each round of a negotiation told in plain words, the why first, for the teaching view.

Pure Python (no Solara). `round_story(events, scenario)` reads one round's rows of the transcript
(`negsim.engine.transcript`: offers, answers, walk-aways, the end) and says who proposed, who
rejected it and why (below what it asks for now, below what it would get with no deal, across a
red line, named issue and option), who accepted, who left the table, and how the talks ended.
Parties go by their short labels (`negsim.view.screen.short_labels`), numbers by two decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from negsim.engine.transcript import MEDIATOR, offer_text
from negsim.scenario import Scenario
from negsim.view.screen import short_labels

Event = Mapping[str, Any]
"""One row of the transcript (`negsim.engine.transcript.transcript_table`)."""

THE_WORDS = frozenset({"United", "Union", "Kingdom", "Republic", "Federation", "States", "Nations"})
"""A label with one of these words takes "the" ("the United States", "the European Union")."""

DEADLINE = "deadline "
"""How a deadline walk-away's detail starts (`Transcript.walk_aways`): "deadline 25"."""


@dataclass(frozen=True)
class Party:
    """A party as a sentence names it: "the United States" (it), "European powers" (they)."""

    name: str
    plural: bool = False

    @property
    def subject(self) -> str:
        """The name starting a sentence."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def its(self) -> str:
        return "their" if self.plural else "its"

    @property
    def possessive(self) -> str:
        return f"{self.name}'" if self.name.endswith("s") else f"{self.name}'s"

    def verb(self, singular: str) -> str:
        """`singular` ("asks") agreeing with the name ("ask" for a plural one)."""
        return singular.removesuffix("s") if self.plural else singular


def parties(scenario: Scenario) -> dict[str, Party]:
    """Each party (and the mediator) as sentences name it, from its short label."""
    out = {}
    for name, label in short_labels(scenario).items():
        words = label.split()
        article = words[0].lower() != "the" and bool(THE_WORDS.intersection(words))
        last = words[-1] if words else ""
        plural = last.islower() and last.endswith("s") and not last.endswith("ss")
        out[name] = Party(f"the {label}" if article else label, plural)
    return out | {MEDIATOR: Party("the mediator")}


@dataclass
class _Offer:
    """One offer on the table and the answers to it."""

    event: Event
    answers: list[Event] = field(default_factory=list)

    def answered(self, kind: str) -> list[Event]:
        return [a for a in self.answers if a["event"] == kind]


def round_story(events: pd.DataFrame | Iterable[Event], scenario: Scenario) -> str:
    """One round of one replication's transcript (its rows, in order) as a few plain sentences.

    Example: "Russia proposed a deal. Ukraine rejected it: it gives Ukraine 0.82, below what
    Ukraine asks for now, 0.99. The United States accepted it (0.64, above its 0.55)."
    """
    rows: list[Event] = (
        cast(list[Event], events.to_dict("records"))
        if isinstance(events, pd.DataFrame)
        else list(events)
    )
    names = parties(scenario)
    tracks = {t.name: t.label for t in scenario.tracks}
    items: list[Event | _Offer] = []
    answering: dict[str, _Offer] = {}  # the offer each track's answers answer
    for event in rows:
        if event["event"] == "offer":
            answering[_text(event, "track")] = _Offer(event)
            items.append(answering[_text(event, "track")])
        elif event["event"] in ("accept", "reject") and _text(event, "track") in answering:
            answering[_text(event, "track")].answers.append(event)
        else:
            items.append(event)
    ends = [e for e in items if not isinstance(e, _Offer) and _is_agreement(e)]
    deals: dict[int, Event] = {id(_deal_offer(items, e)): e for e in ends}
    split = any(_text(e, "track") for e in rows)
    sentences: list[str] = []
    last = ""  # the track of the sentence before: a track is named where it changes
    for item in items:
        if isinstance(item, _Offer):
            told = _offer_sentences(item, scenario, names, deals.get(id(item)))
            event = item.event
        elif _is_agreement(item) and _deal_offer(items, item) is not None:
            continue  # told with its offer
        else:
            told, event = [_other_sentence(item, names, rows, split)], item
        track = _text(event, "track")
        prefix = f"[{tracks.get(track, track)}] " if track and track != last else ""
        sentences += [prefix + told[0], *told[1:]]
        last = track
    return " ".join(sentences)


def _offer_sentences(
    offer: _Offer, scenario: Scenario, names: dict[str, Party], deal: Event | None
) -> list[str]:
    """Who proposed, who rejected it and why, who accepted it (or that it is the deal)."""
    who = offer.event["party"]
    opening = "put a text on the table" if who == MEDIATOR else "proposed a deal"
    out = [f"{_party(names, who).subject} {opening}."]
    rejected, accepted = offer.answered("reject"), offer.answered("accept")
    out += [_rejection(answer, offer.event, scenario, names) for answer in rejected]
    if deal is not None:
        seated = {offer.event["party"], *(a["party"] for a in accepted)}
        if rejected:
            everyone = "Every party needed"
        else:
            everyone = (
                "All parties"
                if seated >= _seats(scenario, offer)
                else "All parties still at the table"
            )
        told = "; ".join(
            f"{_party(names, a['party']).name} {_acceptance(a, names)}" for a in accepted
        )
        out.append(
            f"{everyone} accepted: a deal in round {deal['round']}"
            + (f" ({told})." if told else ".")
        )
    elif accepted:
        each = [f"{_party(names, a['party']).name} ({_acceptance(a, names)})" for a in accepted]
        out.append(f"{_capital(_and(each))} accepted it.")
    return out


def _rejection(answer: Event, offer: Event, scenario: Scenario, names: dict[str, Party]) -> str:
    """Why a party rejected an offer: a red line, worse than no deal, or below what it asks for."""
    who = _party(names, answer["party"])
    crossed = [n for n in _text(answer, "red_lines").split(",") if n]
    if crossed:
        options = {f"option_{n}": offer.get(f"option_{n}") for n in crossed}
        lines = "red lines" if len(crossed) > 1 else "red line"
        what = offer_text(options, scenario) or ", ".join(crossed)
        return f"{who.subject} rejected it: it crosses {who.possessive} {lines} on {what}."
    utility, reservation = answer["utility"], answer["reservation"]
    if _text(answer, "reason") == "below its reservation value":
        got, bar = _pair(utility, reservation)
        why = f"below what {who.name} would get with no deal, {bar}"
    else:
        got, bar = _pair(utility, max(answer["target"], reservation))
        why = f"below what {who.name} {who.verb('asks')} for now, {bar}"
    return f"{who.subject} rejected it: it gives {who.name} {got}, {why}."


def _acceptance(answer: Event, names: dict[str, Party]) -> str:
    """What an accepted offer gives the party against what it asks for: "0.64, above its 0.55"."""
    its = _party(names, answer["party"]).its
    got, asked = _pair(answer["utility"], max(answer["target"], answer["reservation"]))
    if _text(answer, "reason") == "as good as the best it received":
        return f"{got}, below {its} {asked} but as good as the best offer so far"
    return f"{got}, above {its} {asked}" if got != asked else f"{got}, meeting {its} {asked}"


def _other_sentence(event: Event, names: dict[str, Party], rows: list[Event], split: bool) -> str:
    """A walk-away, or how the talks ended (an agreement without its offer in this round)."""
    who = _party(names, event["party"])
    if event["event"] == "walk_away":
        detail = _text(event, "detail")
        if _text(event, "reason") == "its deadline passed":
            number = detail.removeprefix(DEADLINE) if detail.startswith(DEADLINE) else ""
            at = f", round {number}," if number else ""
            why = f"{who.its} deadline{at} had passed"
        else:
            no_deal = _number(event["reservation"])
            why = f"nothing still open beats what {who.name} would get with no deal, {no_deal}"
        if not _required(event):
            without = "them" if who.plural else "it"
            return f"{who.subject} left the table ({why}); the talks go on without {without}."
        return f"{who.subject} walked away: {why}."
    outcome = event.get("outcome")
    whole = split and not _text(event, "track")  # the end of every track's talks
    if outcome == "agreement":
        everyone = "All tracks agreed" if whole else "All parties accepted"
        return f"{everyone}: a deal in round {event['round']}."
    if whole:
        return "The talks are over, without a deal on every track."
    if outcome == "walkaway":
        track = _text(event, "track")
        walked = [e for e in rows if e["event"] == "walk_away" and _text(e, "track") == track]
        if any(_required(e) for e in walked):
            return "No deal."
        party = _text(event, "detail").removesuffix(" walked away")
        return f"No deal: {names[party].name} walked away." if party in names else "No deal."
    return f"No deal: time ran out after {event['round']} rounds."


def _deal_offer(items: list[Event | _Offer], end: Event) -> _Offer | None:
    """The offer of this round that the agreement `end` records (None: none this round)."""
    options = {k: v for k, v in end.items() if k.startswith("option_") and isinstance(v, str)}
    track = _text(end, "track")
    same = [
        i
        for i in items
        if isinstance(i, _Offer)
        and _text(i.event, "track") == track
        and all(i.event.get(k) == v for k, v in options.items())
    ]
    return same[-1] if same else None


def _seats(scenario: Scenario, offer: _Offer) -> set[str]:
    """The parties at the offer's table when nobody has left: its track's, or every party."""
    track = _text(offer.event, "track")
    seats = [t.parties for t in scenario.tracks if t.name == track]
    return set(seats[0] if seats else scenario.party_names)


def _is_agreement(event: Event) -> bool:
    return event["event"] == "end" and event.get("outcome") == "agreement"


def _party(names: dict[str, Party], name: str) -> Party:
    return names.get(name) or Party(name)


def _text(event: Event, key: str) -> str:
    """A text column's value ("" where missing)."""
    value = event.get(key)
    return value if isinstance(value, str) else ""


def _required(event: Event) -> bool:
    """Whether a walk-away's party was required (a missing value: required)."""
    value = event.get("required")
    return True if value is None or value is pd.NA else bool(value)


def _pair(a: float, b: float) -> tuple[str, str]:
    """Two numbers for people: two decimals, three where two would make them look equal."""
    if _number(a) == _number(b) and a != b:
        return f"{a:.3f}", f"{b:.3f}"
    return _number(a), _number(b)


def _number(x: float) -> str:
    return f"{x:.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


RED_LINE = "crosses its red line on "
"""How the transcript's reason for a red-line rejection starts, issue names after it."""


def reason_words(reason: object, scenario: Scenario) -> str:
    """An answer's reason with issues named by their labels, not their ids ("crosses its red
    line on Security guarantees for Ukraine", not "... on guarantees"); "" for no reason."""
    if not isinstance(reason, str):
        return ""
    if not reason.startswith(RED_LINE):
        return reason
    labels = {issue.name: issue.label for issue in scenario.issues}
    names = reason.removeprefix(RED_LINE).split(",")
    return RED_LINE + "; ".join(labels.get(n.strip(), n.strip()) for n in names)
