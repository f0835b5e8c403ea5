"""Qt-free tests of the metric history chart: the figure holds what a reader needs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from governance_app.charts.metric_history import (
    format_value,
    metric_history_comparison_figure,
    metric_history_figure,
    metric_unit,
)
from governance_app.domain.registry import MetricSeries


def _series(key: str, values: list[float], *, steps: list[int] | None = None) -> MetricSeries:
    series = MetricSeries(key)
    for i, value in enumerate(values):
        series.append(steps[i] if steps else i, 1_700_000_000_000 + 1000 * i, value)
    return series


def _data_axes(figure):
    return [ax for ax in figure.axes if ax.axison]


def test_one_subplot_per_metric_with_units_and_labels() -> None:
    series = {
        "val_logloss": _series("val_logloss", [0.7, 0.6, 0.55, 0.5, 0.47]),
        "val_auc": _series("val_auc", [0.70, 0.72, 0.75, 0.77, 0.78]),
        "demographic_parity_ratio": _series("demographic_parity_ratio", [0.8, 0.82, 0.87]),
    }
    figure = metric_history_figure(series, "loan_approval v3 — metric history")

    axes = _data_axes(figure)
    assert [ax.get_title() for ax in axes] == [
        "demographic_parity_ratio (0–1)",
        "val_auc (0–1)",
        "val_logloss (unitless)",
    ]
    assert figure.get_suptitle() == "loan_approval v3 — metric history"
    for ax in axes:
        assert ax.get_xlabel() == "step"
        assert ax.get_ylabel()
        assert len(ax.get_lines()) == 1
    auc_line = axes[1].get_lines()[0]
    np.testing.assert_allclose(auc_line.get_ydata(), [0.70, 0.72, 0.75, 0.77, 0.78])
    np.testing.assert_array_equal(auc_line.get_xdata(), [0, 1, 2, 3, 4])
    # The latest value is written on the chart, four significant digits, and its point ringed.
    assert any(t.get_text() == "latest 0.78" for t in axes[1].texts)
    ringed = axes[1].collections[0].get_offsets()
    np.testing.assert_allclose(ringed, [[4, 0.78]])
    # Three metrics on a two-column grid: the unused fourth cell is removed, not left blank.
    assert len(figure.axes) == 3


def test_renders_without_pyplot_or_qt() -> None:
    figure = metric_history_figure({"loss": _series("loss", [1.0, 0.5])}, "t")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    assert width > 600 and height > 300


def test_module_imports_neither_qt_nor_pyplot() -> None:
    code = (
        "import sys, governance_app.charts.metric_history; "
        "bad = {'PySide6', 'matplotlib.pyplot'} & set(sys.modules); "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_empty_history_says_so() -> None:
    figure = metric_history_figure({"val_auc": MetricSeries("val_auc")}, "nothing")
    assert _data_axes(figure) == []
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert texts == ["No metric history was recorded for this run."]


def test_metrics_logged_without_steps_use_elapsed_time() -> None:
    series = _series("latency_ms", [12.0, 14.0, 11.0], steps=[0, 0, 0])
    (ax,) = _data_axes(metric_history_figure({"latency_ms": series}, "t"))
    assert ax.get_xlabel() == "seconds since first point"
    assert ax.get_title() == "latency_ms (ms)"
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0.0, 1.0, 2.0])


def test_comparison_overlays_runs_with_distinct_styles_and_legend() -> None:
    runs = {
        "v2": {"val_auc": _series("val_auc", [0.70, 0.76])},
        "v3": {"val_auc": _series("val_auc", [0.71, 0.78])},
    }
    (ax,) = _data_axes(metric_history_comparison_figure(runs, "v2 vs v3"))
    lines = ax.get_lines()
    assert len(lines) == 2
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    (legend,) = ax.figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["v2", "v3"]


def test_units_and_formatting() -> None:
    assert metric_unit("train_duration_seconds") == "s"
    assert metric_unit("throughput") == "value"
    assert format_value(0.7806934384825412) == "0.7807"
    assert format_value(float("nan")) == "—"
