"""One feature's drift over time: its score per window, its threshold, and alert markers.

For p-value methods the drift side is *below* the line, for distances above; the axis label
says which, so the reader never has to know the method.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from governance_app.charts.drift_heatmap import window_label
from governance_app.charts.style import FAIL, INFORMATION, NOT_EVALUATED, styled
from governance_app.domain.drift import METHOD_LABELS
from governance_app.domain.drift_records import DriftResult


def drift_lines_figure(results: Sequence[DriftResult], column: str, *,
                       figsize: tuple[float, float] = (8.0, 3.2)) -> Figure:
    """Build the chart of ``column``'s score over ``results`` (oldest first)."""
    points = []
    for i, result in enumerate(results):
        for c in result.drift.columns:
            if c.column == column:
                points.append((i, window_label(result), c))
    with styled():
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        if not points:
            ax.axis("off")
            ax.set_title(f"{column}: drift over time")
            ax.text(0.5, 0.5, f"No results for {column}", ha="center", va="center")
            return figure
        method = points[-1][2].method
        label = METHOD_LABELS.get(method, method)
        p_value = points[-1][2].holds_p_value
        ax.set_title(f"{column}: {label}")
        defined = [(i, c.score) for i, _l, c in points if c.score is not None]
        ax.plot([i for i, _ in defined], [s for _, s in defined], marker="o",
                color=INFORMATION, label=label)
        thresholds = [c.threshold for _i, _l, c in points]
        if len(set(thresholds)) == 1:
            ax.axhline(thresholds[0], color=FAIL, linestyle="--", linewidth=1.2,
                       label=f"threshold {thresholds[0]:g}")
        else:
            ax.step([i for i, _l, _c in points], thresholds, where="mid", color=FAIL,
                    linestyle="--", linewidth=1.2, label="threshold")
        alerts = [(i, c.score) for i, _l, c in points if c.drifted and c.score is not None]
        if alerts:
            ax.scatter([i for i, _ in alerts], [s for _, s in alerts], marker="X", s=70,
                       color=FAIL, zorder=3, label="drift detected")
        missing = [i for i, _l, c in points if c.score is None]
        for i in missing:
            ax.axvline(i, color=NOT_EVALUATED, linestyle=":", linewidth=1)
        ax.set_xticks([i for i, _l, _c in points], [lbl for _i, lbl, _c in points],
                      rotation=45 if len(points) > 6 else 0,
                      ha="right" if len(points) > 6 else "center")
        ax.set_ylabel("p-value (drift below the line)" if p_value
                      else "statistic (drift above the line)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8)
        return figure
