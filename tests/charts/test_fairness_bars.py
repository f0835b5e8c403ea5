"""Qt-free tests of the fairness charts: bars, whiskers, reference and parity band, read back."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from governance_app.analytics.fairness_counts import confusion_counts
from governance_app.analytics.fairness_metrics import analyse_table, fairness_report
from governance_app.analytics.fairness_uncertainty import bootstrap
from governance_app.charts.fairness_bars import disparity_figure, metric_bars_figure
from governance_app.charts.number_format import fairness_number
from governance_app.charts.style import FAIL, INFORMATION, PASS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"


@pytest.fixture(scope="module")
def titanic() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "predictions.csv")


def _bars(figure) -> list[Rectangle]:
    ax = figure.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() < 1]


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].texts]


def test_metric_bars_with_whiskers_reference_and_threshold(titanic) -> None:
    counts = confusion_counts(titanic, attributes=["class"], label="label", prediction="prediction")
    report = fairness_report(counts, min_group_size=30)
    boot = bootstrap(counts, n_resamples=100, seed=7, min_group_size=30)
    figure = metric_bars_figure(report, "true_positive_rate", boot,
                                thresholds={"policy limit": 0.6})
    ax = figure.axes[0]
    bars = _bars(figure)
    assert len(bars) == 7
    heights = {round(b.get_x() + b.get_width() / 2): b.get_height() for b in bars}
    assert heights[0] == pytest.approx(report.group(("1st",)).metrics["true_positive_rate"].value)
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1st", "2nd", "3rd (ref.)"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["reference group (ref.)", "other groups"]  # every colour named
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert whiskers and len(whiskers[0].get_segments()) == 7
    low, high = (y for _, y in whiskers[0].get_segments()[0])
    ci = boot.groups[("1st",)]["true_positive_rate"]
    assert (low, high) == pytest.approx((ci.low, ci.high))
    texts = _texts(figure)
    assert "reference 3rd\n= 0.448" in texts and "policy limit = 0.6" in texts
    assert "seed 7" in figure.get_supxlabel()
    assert ax.get_ylabel() == "true positive rate"


def test_undefined_and_small_groups_are_marked_not_drawn_as_zero(titanic) -> None:
    reports = analyse_table(titanic, attributes=["gender", "class"], label="label",
                            prediction="prediction", min_group_size=30)
    report = reports[("gender", "class")]
    figure = metric_bars_figure(report, "false_positive_rate")
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert "female | restaurant staff*" in labels  # 2 rows: flagged
    assert "—" in _texts(figure)  # its FPR is undefined (no negatives)
    grey = [b for b in _bars(figure) if b.get_hatch() == "//"]
    assert len(grey) == 1  # female | victualling crew: 10 rows, defined, drawn grey
    assert "undefined" in figure.get_supxlabel()


def test_disparity_chart_band_and_verdict_colours(titanic) -> None:
    counts = confusion_counts(titanic, attributes=["class"], label="label", prediction="prediction")
    report = fairness_report(counts, min_group_size=30)
    figure = disparity_figure(report, "false_positive_rate", tau=0.8)
    texts = _texts(figure)
    assert "τ = 0.8" in texts and "1/τ = 1.25" in texts
    colours = {round(b.get_x() + b.get_width() / 2): to_hex(b.get_facecolor()) for b in
               _bars(figure)}
    ratios = {c.key: c.ratio.value for c in report.disparities["false_positive_rate"].to_reference}
    keys = [g.key for g in report.groups]
    for i, key in enumerate(keys):
        if i in colours and key == report.reference:
            assert colours[i] == INFORMATION.lower()  # the yardstick, not a pass
        elif i in colours:
            inside = 0.8 <= ratios[key] <= 1.25
            assert colours[i] == (PASS if inside else FAIL).lower(), key
            mark = "✓" if inside else "✗"  # a symbol beside the colour
            assert f"{mark} {fairness_number(ratios[key])}" in _texts(figure)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["✓ pass: within [τ, 1/τ]", "✗ fail: outside the band",
                      "ref.: reference group", "parity band"]


def test_disparity_chart_marks_groups_it_cannot_judge(titanic) -> None:
    reports = analyse_table(titanic, attributes=["gender", "class"], label="label",
                            prediction="prediction", min_group_size=30)
    figure = disparity_figure(reports[("gender", "class")], "selection_rate")
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert "female | victualling crew*" in labels
    assert "—" in _texts(figure) and "not judged" in figure.get_supxlabel()


def test_figures_render_to_png_and_svg(titanic) -> None:
    counts = confusion_counts(titanic, attributes=["gender"], label="label",
                              prediction="prediction")
    report = fairness_report(counts)
    for figure in (metric_bars_figure(report, "selection_rate"),
                   disparity_figure(report, "selection_rate")):
        svg = io.BytesIO()
        with mpl.rc_context({"svg.fonttype": "none"}):  # text as text, so it can be read back
            figure.savefig(svg, format="svg")
        assert b"female" in svg.getvalue() and b"selection rate" in svg.getvalue()
        png = io.BytesIO()
        figure.savefig(png, format="png")
        assert png.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_metric_is_a_clear_error(titanic) -> None:
    counts = confusion_counts(titanic, attributes=["gender"], label="label",
                              prediction="prediction")
    report = fairness_report(counts)
    with pytest.raises(KeyError, match="no metric 'recall'"):
        metric_bars_figure(report, "recall")
    with pytest.raises(KeyError, match="no metric 'recall'"):
        disparity_figure(report, "recall")
