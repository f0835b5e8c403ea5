"""A metric logged once is drawn as a visible point on a one-tick axis, never an empty chart."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg

from governance_app.charts.audit_charts import VersionMetricsChart
from governance_app.charts.metric_history import metric_history_figure
from governance_app.domain.registry import MetricSeries


def _points(ax) -> list[tuple[list[float], str]]:  # noqa: ANN001
    return [(list(line.get_xdata()), line.get_marker()) for line in ax.lines]


def test_metric_history_draws_a_single_value_as_a_marked_point() -> None:
    once = MetricSeries("val_auc")
    once.append(7, 1_700_000_000_000, 0.81)
    figure = metric_history_figure({"val_auc": once}, "one value")
    FigureCanvasAgg(figure).draw()
    [ax] = [a for a in figure.axes if a.axison]
    assert _points(ax) == [([7.0], "o")]
    assert ax.lines[0].get_markersize() >= 6
    assert list(ax.get_xticks()) == [7.0]


def test_audit_version_chart_single_point_then_repainted_with_a_history() -> None:
    chart = VersionMetricsChart()
    figure = chart.paint("m:1", {"val_auc": ([3], [0.81])}, {"val_auc": (0.77, None)})
    FigureCanvasAgg(figure).draw()
    ax = chart.axes[0]
    assert _points(ax)[0] == ([3], "o")  # then the threshold's line
    assert list(ax.get_xticks()) == [3]
    low, high = ax.get_ylim()
    assert low <= 0.77 < 0.81 <= high  # the point and its threshold both in view
    chart.paint("m:2", {"val_auc": (list(range(10)), [0.7 + 0.01 * i for i in range(10)])}, {})
    FigureCanvasAgg(figure).draw()
    assert len(ax.get_xticks()) > 1  # the earlier version's one fixed tick is gone
