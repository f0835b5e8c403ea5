"""Metric histories of a run (or of several runs overlaid) as a grid of line charts.

One subplot per metric, because metrics live on different scales (an AUC near 0.78 and a log
loss near 0.5 on one axis would flatten both). Built on ``matplotlib.figure.Figure`` directly,
no pyplot, so it is safe to call from any thread and leaves no global state behind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from governance_app.charts.style import color, styled
from governance_app.domain.registry import MetricSeries

# Metric names say little about units; these suffixes and words are the conventions MLflow users
# follow. Anything else is shown as "value", which is honest rather than guessed.
_UNIT_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("_ms", "latency_ms", "_millis"), "ms"),
    (("_seconds", "_secs", "_sec", "_s", "duration"), "s"),
    (("_pct", "_percent", "percent"), "%"),
    (("auc", "accuracy", "precision", "recall", "f1", "ratio", "rate", "score"), "0–1"),
    (("loss", "error", "rmse", "mse", "mae", "logloss"), "unitless"),
)
_LINESTYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D")
_MARKER_LIMIT = 15
"""Draw point markers only up to this many points; beyond it they hide the line."""


def metric_unit(key: str) -> str:
    """A short unit label for a metric key, from naming conventions; ``"value"`` if unknown."""
    lowered = key.lower()
    for needles, unit in _UNIT_RULES:
        if any(lowered.endswith(n) if n.startswith("_") else n in lowered for n in needles):
            return unit
    return "value"


def format_value(value: float) -> str:
    """Four significant digits, the precision the UI shows everywhere; NaN as an em dash."""
    if math.isnan(value):
        return "—"
    return f"{value:.4g}"


def metric_history_figure(
    series: Mapping[str, MetricSeries],
    title: str,
    *,
    figsize: tuple[float, float] = (8.0, 5.0),
) -> Figure:
    """Build one line chart per metric history of a single run.

    Args:
        series: metric key → full history, as ``Run.metrics`` holds it.
        title: the figure title, e.g. ``"loan_approval v3 — metric history"``.
        figsize: inches; the default reads well in a 1280×800 window and on half an A4 page.

    Returns:
        A figure with one axes per non-empty metric (sorted by key), or a single message axes
        saying that nothing was recorded.
    """
    return metric_history_comparison_figure({"": series}, title, figsize=figsize)


def metric_history_comparison_figure(
    runs: Mapping[str, Mapping[str, MetricSeries]],
    title: str,
    *,
    figsize: tuple[float, float] = (8.0, 5.0),
) -> Figure:
    """Overlay the metric histories of several runs, one subplot per metric key.

    Args:
        runs: legend label (e.g. ``"v2"``) → that run's metric histories. With a single run
            whose label is empty no legend is drawn.
        title: the figure title.
        figsize: inches.

    Runs are told apart by line style and marker as well as colour, so the chart survives
    grey-scale printing and colour-blind readers.
    """
    keys = sorted({k for metrics in runs.values() for k, s in metrics.items() if len(s)})
    with styled():
        figure = Figure(figsize=figsize, layout="constrained")
        figure.suptitle(title, fontsize=11, fontweight="bold")
        if not keys:
            _draw_empty(figure.add_subplot(1, 1, 1))
            return figure
        ncols = _grid_columns(len(keys), figsize)
        nrows = math.ceil(len(keys) / ncols)
        axes = figure.subplots(nrows, ncols, squeeze=False)
        for index, key in enumerate(keys):
            ax = axes[index // ncols][index % ncols]
            _draw_metric(ax, key, runs, figsize[0] / ncols)
        for index in range(len(keys), nrows * ncols):
            axes[index // ncols][index % ncols].remove()
        if len(runs) > 1 or any(runs):
            # One legend for the figure: per-subplot legends would cover the lines.
            # Collected over all subplots: a run may lack the metric of the first one.
            by_label = {}
            for ax in figure.axes:
                for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                    by_label.setdefault(label, handle)
            labels = [label for label in runs if label in by_label]
            figure.legend([by_label[label] for label in labels], labels,
                          loc="outside lower center", ncols=max(len(labels), 1), fontsize=9)
    return figure


def _draw_metric(ax: Axes, key: str, runs: Mapping[str, Mapping[str, MetricSeries]],
                 cell_width: float) -> None:
    unit = metric_unit(key)
    labelled = len(runs) > 1 or any(runs.keys())
    by_time = False
    for run_index, (label, metrics) in enumerate(runs.items()):
        series = metrics.get(key)
        if series is None or not len(series):
            continue
        x, by_time = _x_values(series)
        y = np.frombuffer(series.values, dtype=np.float64)
        style: dict[str, object] = {
            "color": color(run_index),
            "linestyle": _LINESTYLES[run_index % len(_LINESTYLES)],
        }
        if labelled:
            # Runs must differ by more than colour: a marker on every few points of each line.
            style["marker"] = _MARKERS[run_index % len(_MARKERS)]
            style["markevery"] = max(1, len(series) // 6)
        elif len(series) <= _MARKER_LIMIT:
            style["marker"] = "o"
        latest = series.latest_index()
        if len(series) == 1:  # one logged value: a point on a one-tick axis, never empty
            style |= {"marker": style.get("marker", "o"), "markersize": 7}
            ax.set_xticks([float(x[0])])
        ax.plot(x, y, label=label if labelled else None, **style)
        if not labelled:
            _mark_latest(ax, x[latest], y[latest], y)
    ax.set_title(*_fitted_title(f"{key} ({unit})", cell_width))
    ax.locator_params(axis="y", nbins=4)
    ax.set_xlabel("seconds since first point" if by_time else "step")
    ax.set_ylabel(unit)
    ax.margins(x=0.05, y=0.22)


def _mark_latest(ax: Axes, x: float, y: float, values: np.ndarray) -> None:
    """Ring the latest point and write its value in a corner the line does not end in."""
    ax.scatter([x], [y], s=70, facecolors="none", edgecolors="#000000", linewidths=1.2,
               zorder=3)
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    ends_high = high == low or (y - low) / (high - low) > 0.5
    ax.text(0.98, 0.05 if ends_high else 0.95, f"latest {format_value(y)}",
            transform=ax.transAxes, ha="right", va="bottom" if ends_high else "top",
            fontsize=8.5, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def _fitted_title(title: str, width: float) -> tuple[str, dict[str, float]]:
    """Shrink, then wrap, a subplot title so it stays within its column (``width`` inches)."""
    for size in (10.0, 8.5):
        if len(title) * 0.6 * size / 72 <= 0.9 * width:
            return title, {"fontsize": size}
    return title.replace(" (", "\n(", 1), {"fontsize": 8.5}


def _grid_columns(count: int, figsize: tuple[float, float]) -> int:
    """Columns that give each subplot the most room at a readable shape (~3 × 1.9 inches)."""
    width, height = figsize
    height -= 0.4  # the figure title

    def fit(ncols: int) -> float:
        nrows = math.ceil(count / ncols)
        return min(width / ncols / 3.0, height / nrows / 1.9)

    return max(range(1, min(count, 4) + 1), key=fit)


def _x_values(series: MetricSeries) -> tuple[np.ndarray, bool]:
    """Steps when the run logged them; else elapsed time (metrics logged without ``step``)."""
    steps = np.frombuffer(series.steps, dtype=np.int64)
    if len(series) > 1 and steps.min() == steps.max():
        stamps = np.frombuffer(series.timestamps, dtype=np.int64)
        return (stamps - stamps.min()) / 1000.0, True
    return steps, False


def _draw_empty(ax: Axes) -> None:
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        "No metric history was recorded for this run.",
        ha="center",
        va="center",
        fontsize=11,
        color="#555555",
        transform=ax.transAxes,
    )
