"""The one chart style: Okabe–Ito colours, sizes readable at 1280×800 and on A4.

Applied with :func:`styled` around figure construction instead of global ``rcParams`` so that
building a chart never changes another chart (or the host application's) matplotlib state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# Okabe & Ito (2008), "Color Universal Design": distinguishable by colour-blind readers.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# Verdict colours as UI.md names them; always shown together with a word or icon.
PASS = OKABE_ITO["bluish_green"]
FAIL = OKABE_ITO["vermillion"]
WARNING = OKABE_ITO["orange"]
INFORMATION = OKABE_ITO["blue"]
NOT_EVALUATED = "#999999"

# Series colours in the order lines are drawn (yellow last: weak on white paper).
CYCLE: list[str] = [
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "bluish_green",
        "orange",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    )
]

SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr"

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 4.5,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.dpi": 150,
}


@contextmanager
def styled() -> Iterator[None]:
    """Build a figure inside this context to get the house style without touching globals.

    matplotlib is imported here, not at the top: the window imports the colours above at
    start-up and must not pay for matplotlib before it draws its first chart.
    """
    import matplotlib as mpl

    with mpl.rc_context({**RC, "axes.prop_cycle": mpl.cycler(color=CYCLE)}):
        yield


def color(index: int) -> str:
    """The ``index``-th series colour, wrapping around."""
    return CYCLE[index % len(CYCLE)]
