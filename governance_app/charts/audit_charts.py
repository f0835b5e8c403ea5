"""Charts of the audit report: activity per day, review outcomes, a reviewed version's metrics.

An audit report of a busy period carries dozens of charts, so these are built for speed as
much as for reading: fixed margins instead of constrained layout (which measures every text
twice), few ticks, no legends outside the axes. They take plain values, so the screen can draw
them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from governance_app.charts.style import FAIL, INFORMATION, NOT_EVALUATED, PASS, color, styled

OUTCOME_COLOURS = {"approved": PASS, "rejected": FAIL, "open": INFORMATION,
                   "withdrawn": NOT_EVALUATED}
OUTCOME_MARKS = {"approved": "✓", "rejected": "✗", "open": "…", "withdrawn": "–"}
MAX_KINDS = 6
"""Kinds drawn on their own in the activity chart; the rest are summed as "other"."""


def events_per_day_figure(days: Sequence[date], counts: Mapping[str, Sequence[int]], *,
                          title: str = "Audit events per day, by kind",
                          figsize: tuple[float, float] = (8.0, 3.0)) -> Figure:
    """Stacked bars: one per day, one segment per event kind (the busiest kinds first).

    Args:
        days: the days of the period, in order.
        counts: kind → events on each of ``days`` (same length).
    """
    with styled():
        figure = Figure(figsize=figsize)
        ax = figure.add_subplot()
        figure.subplots_adjust(left=0.08, right=0.72, top=0.88, bottom=0.2)
        ax.set_title(title, loc="left")
        if not days or not counts:
            _empty(ax, "no audit events in the period")
            return figure
        ranked = sorted(counts, key=lambda k: -sum(counts[k]))
        shown = ranked[:MAX_KINDS]
        series = {k: np.asarray(counts[k], dtype=float) for k in shown}
        if len(ranked) > MAX_KINDS:
            series["other kinds"] = np.sum([counts[k] for k in ranked[MAX_KINDS:]], axis=0)
        x = np.arange(len(days))
        bottom = np.zeros(len(days))
        width = 0.8 if len(days) > 1 else 0.4
        for index, (kind, values) in enumerate(series.items()):
            ax.bar(x, values, width, bottom=bottom, color=color(index), label=kind,
                   linewidth=0)
            bottom += values
        step = max(1, len(days) // 8)
        ax.set_xticks(x[::step], [d.isoformat() for d in days[::step]], fontsize=7.5)
        ax.set_xlim(-0.6, len(days) - 0.4)
        ax.set_ylabel("events")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5,
                  title="kind", title_fontsize=7.5)
    return figure


def review_outcomes_figure(outcomes: Mapping[str, int], *,
                           title: str = "Reviews in scope by outcome",
                           figsize: tuple[float, float] = (8.0, 2.2)) -> Figure:
    """Horizontal bars of reviews per state, each with its count and a mark (never colour
    alone)."""
    with styled():
        figure = Figure(figsize=figsize)
        ax = figure.add_subplot()
        figure.subplots_adjust(left=0.2, right=0.95, top=0.82, bottom=0.18)
        ax.set_title(title, loc="left")
        states = [s for s in OUTCOME_COLOURS if s in outcomes] + sorted(
            s for s in outcomes if s not in OUTCOME_COLOURS)
        if not states or not sum(outcomes.values()):
            _empty(ax, "no reviews in scope")
            return figure
        y = np.arange(len(states))[::-1]
        values = [outcomes[s] for s in states]
        ax.barh(y, values, 0.6, color=[OUTCOME_COLOURS.get(s, NOT_EVALUATED) for s in states])
        ax.set_yticks(y, [f"{OUTCOME_MARKS.get(s, '')} {s}" for s in states])
        top = max(values)
        for yy, value in zip(y, values, strict=True):
            ax.text(value + top * 0.01, yy, str(value), va="center", fontsize=8.5)
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("reviews")
        ax.grid(axis="y", visible=False)
    return figure


def version_metrics_figure(ref: str, series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                           thresholds: Mapping[str, tuple[float | None, float | None]], *,
                           figsize: tuple[float, float] = (8.0, 2.3)) -> Figure:
    """One small panel per metric (at most three): its history over steps, and the gate's
    threshold as a labelled line, so a reader sees how the reviewed value was reached.

    Args:
        series: metric → (steps, values).
        thresholds: metric → (min, max) of the gate checks on it.
    """
    return VersionMetricsChart(figsize).paint(ref, series, thresholds)


class VersionMetricsChart:
    """:func:`version_metrics_figure` drawn once and repainted for each version.

    A report draws one such chart per reviewed version; making the axes and their ticks is
    a third of a chart's cost, so one figure is kept and only its lines, texts and limits
    change. Render (or copy) the figure before the next :meth:`paint`.
    """

    PANELS = 3

    def __init__(self, figsize: tuple[float, float] = (8.0, 2.3)) -> None:
        with styled():
            self.figure = Figure(figsize=figsize)
            self.title = self.figure.suptitle("", x=0.01, ha="left", fontsize=9.5,
                                              fontweight="bold")
            self.axes = list(self.figure.subplots(1, self.PANELS, squeeze=False)[0])
            self.figure.subplots_adjust(left=0.07, right=0.98, top=0.78, bottom=0.2,
                                        wspace=0.35)
            self.empty = self.figure.text(0.5, 0.45, "", ha="center", va="center",
                                          fontsize=9, color="#555555")
            for ax in self.axes:
                ax.tick_params(labelsize=7)
                ax.locator_params(nbins=4)
            self.axes[0].set_ylabel("value", fontsize=7.5)

    def paint(self, ref: str, series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
              thresholds: Mapping[str, tuple[float | None, float | None]]) -> Figure:
        """The figure showing ``ref``'s first three ``series`` with their ``thresholds``."""
        keys = list(series)[: self.PANELS]
        self.title.set_text(f"{ref}: metric history and gate thresholds")
        self.empty.set_text("" if keys else "no metric history recorded for this version")
        with styled():
            for index, ax in enumerate(self.axes):
                for artist in [*ax.lines, *ax.texts]:
                    artist.remove()
                ax.set_visible(index < len(keys))
                if index < len(keys):
                    self._panel(ax, index, keys[index], series[keys[index]],
                                thresholds.get(keys[index], (None, None)))
        return self.figure

    @staticmethod
    def _panel(ax: Axes, index: int, key: str, data: tuple[Sequence[float], Sequence[float]],
               bounds: tuple[float | None, float | None]) -> None:
        steps, values = data
        single = len(values) == 1  # one logged value: a visible point, not an empty line
        ax.plot(steps, values, color=color(index), linewidth=1.4,
                marker="o" if len(values) <= 15 else None, markersize=6 if single else 3)
        ax.set_title(key, fontsize=8.5, loc="left")
        for bound, word in zip(bounds, ("min", "max"), strict=True):
            if bound is not None:
                ax.axhline(bound, color=FAIL, linestyle="--", linewidth=1)
                ax.annotate(f"{word} {bound:g}", (0.99, bound),
                            xycoords=("axes fraction", "data"), ha="right", va="bottom",
                            fontsize=7, color=FAIL)
        if len(values):
            ax.annotate(f"{values[-1]:.4g}", (steps[-1], values[-1]), fontsize=7,
                        textcoords="offset points", xytext=(0, 4), ha="center")
        ax.relim()
        ax.autoscale_view()
        if single:
            ax.set_xlim(steps[0] - 1, steps[0] + 1)
            ax.set_xticks([steps[0]])
        else:  # the chart is repainted: undo a previous version's one fixed tick
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))


def _empty(ax: object, message: str) -> None:
    ax.set_axis_off()  # type: ignore[attr-defined]
    ax.text(0.5, 0.5, message, ha="center", va="center",  # type: ignore[attr-defined]
            fontsize=9, color="#555555", transform=ax.transAxes)  # type: ignore[attr-defined]
