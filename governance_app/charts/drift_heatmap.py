"""Feature × window drift heatmap: colour is the statistic relative to its threshold.

The colour scale is diverging and centred on 1 (the threshold): ``log2`` of the relative score,
so "twice the threshold" and "half of it" sit equally far from the centre. Drifted cells carry
a symbol as well as a colour (colour-blind readers, black-and-white print), and a cell that
could not be computed is grey with an em dash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from governance_app.charts.style import DIVERGING_CMAP, styled
from governance_app.domain.drift_records import DriftResult

RELATIVE_LIMIT = 3.0
"""Colours saturate at 2**±3: 8× past the threshold is as alarming as it gets on screen."""
DRIFT_SYMBOL = "✕"


def relative_matrix(results: Sequence[DriftResult], columns: Sequence[str]) -> np.ndarray:
    """``log2(relative score)`` per (column, result); NaN where undefined or not compared."""
    out = np.full((len(columns), len(results)), np.nan)
    index = {name: i for i, name in enumerate(columns)}
    for j, result in enumerate(results):
        for c in result.drift.columns:
            rel = c.relative
            if c.column in index and rel is not None and rel > 0:
                out[index[c.column], j] = math.log2(rel)
    return out


def window_label(result: DriftResult) -> str:
    """Short x label: the window's date, else the result's label."""
    moment = result.moment
    return f"{moment:%Y-%m-%d}" if moment else result.label


def drift_heatmap_figure(results: Sequence[DriftResult], columns: Sequence[str], *,
                         title: str = "Drift by feature and window",
                         figsize: tuple[float, float] = (8.0, 4.5)) -> Figure:
    """Build the heatmap.

    Args:
        results: one per window, oldest first.
        columns: the features (rows), top to bottom.
    """
    with styled():
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        ax.set_title(title)
        if not results or not columns:
            ax.axis("off")
            ax.text(0.5, 0.5, "No drift results", ha="center", va="center")
            return figure
        matrix = relative_matrix(results, columns)
        cmap = figure_cmap()
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, aspect="auto",
                          norm=Normalize(-RELATIVE_LIMIT, RELATIVE_LIMIT),
                          interpolation="nearest")
        ax.set_xticks(range(len(results)), [window_label(r) for r in results],
                      rotation=45 if len(results) > 6 else 0, ha="right" if len(results) > 6
                      else "center")
        ax.set_yticks(range(len(columns)), list(columns))
        ax.grid(False)
        drifted = {(c.column, j) for j, r in enumerate(results) for c in r.drift.columns
                   if c.drifted}
        for i, name in enumerate(columns):
            for j in range(len(results)):
                if math.isnan(matrix[i, j]):
                    ax.text(j, i, "—", ha="center", va="center", color="#666666")
                elif (name, j) in drifted:
                    ax.text(j, i, DRIFT_SYMBOL, ha="center", va="center", fontsize=11,
                            fontweight="bold", color="white" if abs(matrix[i, j]) > 1.5
                            else "black")
        bar = figure.colorbar(image, ax=ax, shrink=0.9)
        ticks = [-3, -2, -1, 0, 1, 2, 3]
        bar.set_ticks(ticks, labels=[f"{2.0 ** t:g}×" for t in ticks])
        bar.set_label("statistic relative to threshold (1× = threshold)")
        ax.set_xlabel(f"window ({DRIFT_SYMBOL} = drift detected)")
        return figure


def figure_cmap():  # noqa: ANN201 - a matplotlib Colormap
    """The diverging map with grey for undefined cells."""
    import matplotlib as mpl

    # reversed: purple below the threshold, orange (a warning) past it
    return mpl.colormaps[DIVERGING_CMAP].reversed().with_extremes(bad="#E6E6E6")
