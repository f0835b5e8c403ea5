"""Drift chart builders, Qt-free, on the real Evidently fixture history; SVG read back."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from governance_app.charts.drift_distribution import (
    binned_distribution_figure,
    distribution_figure,
)
from governance_app.charts.drift_heatmap import (
    DRIFT_SYMBOL,
    drift_heatmap_figure,
    relative_matrix,
)
from governance_app.charts.drift_lines import drift_lines_figure
from governance_app.importers.evidently import read_evidently
from governance_app.importers.registry import ImportContext, ImportOptions

LEGACY = Path(__file__).parents[1] / "fixtures" / "evidently" / "legacy"
RESULTS = read_evidently(LEGACY, ImportContext(options=ImportOptions(model="m:1"))).results
COLUMNS = [c.column for c in RESULTS[0].drift.columns]


def _svg(figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg")
    return out.getvalue()


def test_heatmap_marks_every_drifted_cell_with_a_symbol() -> None:
    figure = drift_heatmap_figure(RESULTS, COLUMNS)
    ax = figure.axes[0]
    marks = [t for t in ax.texts if t.get_text() == DRIFT_SYMBOL]
    assert len(marks) == sum(r.drift.n_drifted for r in RESULTS)
    svg = _svg(figure)
    assert "relative to threshold" in svg and "2026-02-02" in svg


def test_heatmap_is_centred_on_the_threshold() -> None:
    matrix = relative_matrix(RESULTS, COLUMNS)
    for j, result in enumerate(RESULTS):
        for c in result.drift.columns:
            assert (matrix[COLUMNS.index(c.column), j] >= 0) == c.drifted


def test_line_chart_draws_threshold_and_alerts() -> None:
    figure = drift_lines_figure(RESULTS, "num_accounts")
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "threshold 0.1" in labels and "drift detected" in labels
    alerts = ax.collections[0].get_offsets()
    assert len(alerts) == sum(1 for r in RESULTS if r.drift.column("num_accounts").drifted)
    assert "above the line" in ax.get_ylabel()


def test_distributions_numeric_categorical_and_binned() -> None:
    rng = np.random.default_rng(1)
    hist = distribution_figure("x", rng.normal(size=500), rng.normal(1, size=400),
                               categorical=False)
    assert "n=500" in _svg(hist)
    bars = distribution_figure("region", ["a", "b", "b"], ["b", "c"], categorical=True)
    assert "c (new)" in _svg(bars)
    binned = binned_distribution_figure("age", RESULTS[3].details["distributions"]["age"])
    assert "Evidently" in binned.axes[0].get_title()


def test_empty_inputs_say_so() -> None:
    assert "No drift results" in _svg(drift_heatmap_figure([], []))
    assert "No results for nope" in _svg(drift_lines_figure(RESULTS, "nope"))
