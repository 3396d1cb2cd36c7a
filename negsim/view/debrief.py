"""The class debrief: every finished "Play as" negotiation on this server, against the frontier.

Finished seats are recorded anonymously in one list for the whole process (every browser tab
adds to it; a lock keeps it whole): which scenario, which seat, and where the deal fell in the
utility space of the seated party and its counterpart. Nothing is written to disk and nothing
leaves the machine; Clear empties the list, a restart forgets it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import solara
from matplotlib.figure import Figure

from negsim.view.seat import Seat
from negsim.view.seat_figure import seat_space_figure

Group = tuple[str, str, str]  # scenario name, seated party, counterpart


@dataclass(frozen=True)
class Played:
    """One finished seated negotiation, as the debrief plots it (no names, no times)."""

    scenario: str
    party: str
    other: str
    labels: tuple[str, str]  # the two parties' labels
    agreed: bool
    point: tuple[float, float]  # the two parties' utilities: of the deal, or reservations
    frontier: np.ndarray  # (F, 2): the two parties' Pareto frontier
    nash: np.ndarray | None  # (2,)
    reservations: np.ndarray  # (2,)
    agents_point: np.ndarray | None  # (2,): the agents' deal alone, same seed

    @property
    def group(self) -> Group:
        """Which plot the negotiation belongs to."""
        return (self.scenario, self.party, self.other)


_LOCK = threading.Lock()
_PLAYED: list[Played] = []
_RECORDED: set[str] = set()  # the seats already in the list


def record(seat: Seat) -> bool:
    """Add a finished seat's outcome (once per seat); returns whether it was added."""
    if not seat.finished:
        return False
    with _LOCK:
        if seat.id in _RECORDED:
            return False
    result = seat.result()
    space, worth = result.space, result.utilities
    played = Played(
        seat.source.name, seat.party, result.other, space.labels, result.story.agreed,
        (worth[seat.party], worth[result.other]), space.frontier, space.nash,
        space.reservations, result.agents_point(),
    )  # fmt: skip
    with _LOCK:
        if seat.id in _RECORDED:
            return False
        _RECORDED.add(seat.id)
        _PLAYED.append(played)
    return True


def played() -> list[Played]:
    """Every recorded negotiation, oldest first (a copy)."""
    with _LOCK:
        return list(_PLAYED)


def clear() -> None:
    """Forget every recorded negotiation."""
    with _LOCK:
        _PLAYED.clear()
        _RECORDED.clear()


def groups(records: list[Played]) -> dict[Group, list[Played]]:
    """The records by scenario, seated party and counterpart, in the order first played."""
    grouped: dict[Group, list[Played]] = {}
    for one in records:
        grouped.setdefault(one.group, []).append(one)
    return grouped


def count_text(records: list[Played]) -> str:
    """How many negotiations a plot holds, and how many ended in a deal."""
    deals = sum(one.agreed for one in records)
    label = records[0].labels[0]
    games = "negotiation" if len(records) == 1 else "negotiations"
    without = len(records) - deals
    return f"{len(records)} {games} played as {label}: {deals} with a deal, {without} without"


def debrief_figure(records: list[Played]) -> Figure:
    """The class's deals (dots; no deal: hollow at the reservations) against the frontier and
    the Nash point, with where the agents alone ended (a cross)."""
    first = records[0]
    agents = [one.agents_point for one in records if one.agents_point is not None]
    return seat_space_figure(
        first.labels, first.frontier, first.reservations, first.nash,
        deals=np.array([one.point for one in records if one.agreed]).reshape(-1, 2),
        no_deals=np.array([one.point for one in records if not one.agreed]).reshape(-1, 2),
        agents=agents[0] if agents else None, title=count_text(records),
    )  # fmt: skip


refreshed = solara.reactive(0)  # per tab: the debrief reads the shared list again


@solara.component
def DebriefPanel() -> None:
    """Every finished "Play as" negotiation on this server, one plot per scenario and seat."""
    _ = refreshed.value
    records = played()
    with solara.Card("Class debrief"):
        with solara.Row():
            solara.Button("Refresh", on_click=lambda: refreshed.set(refreshed.value + 1))
            solara.Button("Clear", on_click=_clear)
        if not records:
            solara.Markdown("_No finished negotiation yet: take a seat and play one to the end._")
            return
        solara.Markdown(f"{len(records)} finished on this server since it started or was cleared.")
        for group, members in groups(records).items():
            solara.Markdown(f"**{count_text(members)}**")
            figure = debrief_figure(members)
            solara.FigureMatplotlib(figure, dependencies=[group, len(members)], format="png")


def _clear() -> None:
    clear()
    refreshed.set(refreshed.value + 1)
