"""Fairness charts: a metric per group with bootstrap whiskers, and disparities against tau.

Two builders, one figure each, from the domain results (no pyplot, no global state), so the
Fairness view and the PDF model card draw the same picture. Undefined values are never drawn as
zero: such a group gets an empty slot marked "—" and the reason sits in the table beside it.
Groups below the minimum size are drawn hatched and grey, so nobody ranks them by eye.
"""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from governance_app.charts.number_format import fairness_number
from governance_app.charts.style import FAIL, INFORMATION, NOT_EVALUATED, PASS, color, styled
from governance_app.domain.fairness import BootstrapResult, FairnessReport, GroupMetrics

TITLES = {"selection_rate": "selection rate", "true_positive_rate": "true positive rate",
          "false_positive_rate": "false positive rate", "true_negative_rate":
          "true negative rate", "false_negative_rate": "false negative rate",
          "precision_score": "precision", "accuracy_score": "accuracy",
          "balanced_accuracy_score": "balanced accuracy", "roc_auc_score": "ROC AUC",
          "base_rate": "base rate", "negative_predictive_value": "negative predictive value",
          "false_discovery_rate": "false discovery rate",
          "false_omission_rate": "false omission rate"}


def metric_title(metric: str) -> str:
    """A metric's name for people (``"true_positive_rate"`` -> ``"true positive rate"``)."""
    return TITLES.get(metric, metric.replace("_", " "))


def _label(row: GroupMetrics, many: bool) -> str:
    return (" | " if many else "\n").join(row.key)


def _ticks(ax: Axes, rows: list[GroupMetrics], marks: list[str]) -> None:
    many = len(rows) > 5
    ax.set_xticks(range(len(rows)), [_label(r, many) + m for r, m in zip(rows, marks, strict=True)],
                  rotation=35 if many else 0, ha="right" if many else "center",
                  rotation_mode="anchor" if many else "default")


def _mark(row: GroupMetrics, report: FairnessReport) -> str:
    """A tick label's suffix: `` (ref.)`` for the reference group, ``*`` for a small one."""
    return (" (ref.)" if row.key == report.reference else "") + ("*" if row.below_minimum
                                                                 else "")


def _rows(report: FairnessReport) -> list[GroupMetrics]:
    return [g for g in report.groups if g.count > 0]


def _hline(ax: Axes, y: float, text: str, style: str, tint: str) -> None:
    ax.axhline(y, color=tint, linestyle=style, linewidth=1.2, zorder=3)
    ax.annotate(text, xy=(1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                textcoords="offset points", va="center", ha="left", fontsize=8, color=tint)


def metric_bars_figure(
    report: FairnessReport,
    metric: str,
    bootstrap: BootstrapResult | None = None,
    *,
    thresholds: Mapping[str, float] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (8.0, 4.2),
) -> Figure:
    """Bars of ``metric`` per group with bootstrap CI whiskers and the reference group's line.

    Args:
        report: the group metrics.
        metric: the metric to draw (a key of the groups' metrics).
        bootstrap: intervals for the whiskers (the level is named in the legend).
        thresholds: further horizontal lines, name -> value (e.g. a policy limit), each
            labelled with its value.
        title: defaults to the metric and attributes.

    Raises:
        KeyError: the report has no such metric.
    """
    if metric not in report.overall.metrics:
        raise KeyError(f"no metric {metric!r}; the report has {sorted(report.overall.metrics)}")
    rows = _rows(report)
    with styled():
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        values = [r.metrics[metric].value for r in rows]
        for i, (row, value) in enumerate(zip(rows, values, strict=True)):
            small = row.below_minimum
            if value is None:
                ax.text(i, 0.02, "—", ha="center", va="bottom", fontsize=12, color=NOT_EVALUATED)
                continue
            tint = NOT_EVALUATED if small else color(0 if row.key == report.reference else 5)
            ax.bar(i, value, width=0.65, color=tint, hatch="//" if small else None,
                   edgecolor="#666666" if small else "white", zorder=2)
            ax.annotate(fairness_number(value), xy=(i, value), xytext=(6, 2),
                        textcoords="offset points", ha="left", va="bottom", fontsize=7.5,
                        color="#333333", zorder=5)
        if bootstrap is not None:
            lows, highs, centres = [], [], []
            for i, (row, value) in enumerate(zip(rows, values, strict=True)):
                ci = bootstrap.groups.get(row.key, {}).get(metric)
                if value is None or ci is None or ci.low is None or ci.high is None:
                    continue
                centres.append(i)
                lows.append(max(value - ci.low, 0.0))
                highs.append(max(ci.high - value, 0.0))
            if centres:
                ax.errorbar(centres, [values[i] for i in centres], yerr=[lows, highs],
                            fmt="none", ecolor="#333333", elinewidth=1.1, capsize=4, zorder=4,
                            label=f"{bootstrap.level:.0%} bootstrap interval "
                            f"({bootstrap.n_resamples} resamples)")
        ref = report.group(report.reference).metrics[metric].value
        if ref is not None:
            _hline(ax, ref, f"reference {' | '.join(report.reference)}\n= "
                   f"{fairness_number(ref)}", "--", INFORMATION)
        for name, value in (thresholds or {}).items():
            _hline(ax, value, f"{name} = {value:.4g}", ":", FAIL)
        _ticks(ax, rows, [_mark(r, report) for r in rows])
        ax.set_ylabel(metric_title(metric))
        # Every colour has a legend entry, and a word beside it (UI.md: never colour alone).
        handles = [Patch(facecolor=color(0), label="reference group (ref.)"),
                   Patch(facecolor=color(5), label="other groups")]
        if any(r.below_minimum for r in rows):
            handles.append(Patch(facecolor=NOT_EVALUATED, hatch="//", edgecolor="#666666",
                                 label="too few rows (*)"))
        ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=False,
                  ncols=len(handles))
        top = max([v for v in values if v is not None] + [ref or 0, 1e-9,
                  *(thresholds or {}).values()])
        ax.set_ylim(0, max(1.0, top * 1.08) if top <= 1 else top * 1.1)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.grid(axis="x", visible=False)
        ax.set_title(title or f"{metric_title(metric)} by {' × '.join(report.attributes)}")
        notes = []
        if bootstrap is not None:
            notes.append(f"whiskers: {bootstrap.level:.0%} bootstrap interval "
                         f"({bootstrap.n_resamples} resamples, seed {bootstrap.seed})")
        if any(r.below_minimum for r in rows):
            notes.append(f"grey, hatched, *: fewer than {report.min_group_size} rows, "
                         "not compared")
        if any(v is None for v in values):
            notes.append("—: undefined for the group")
        if notes:
            figure.supxlabel("   ·   ".join(notes), fontsize=8, color="#555555")
    return figure


def disparity_figure(
    report: FairnessReport,
    metric: str,
    *,
    tau: float = 0.8,
    title: str | None = None,
    figsize: tuple[float, float] = (8.0, 4.2),
) -> Figure:
    """Each group's ``metric`` over the reference group's, with the parity band [tau, 1/tau].

    Bars inside the band are drawn in the pass colour with ✓, outside in the fail colour,
    hatched, with ✗; the reference group is marked "ref." (its ratio is 1 by definition), and
    groups that cannot be judged (too small, undefined) get a grey "—". A legend names every
    colour: colour is never the only signal.

    Raises:
        KeyError: the report has no such metric.
    """
    if metric not in report.disparities:
        raise KeyError(f"no metric {metric!r} in the report")
    comparisons = {c.key: c for c in report.disparities[metric].to_reference}
    rows = _rows(report)
    with styled():
        figure = Figure(figsize=figsize, layout="constrained")
        ax = figure.add_subplot()
        ax.axhspan(tau, 1 / tau, color=PASS, alpha=0.10, zorder=0, label="parity band")
        _hline(ax, tau, f"τ = {tau:.4g}", "--", PASS)  # a threshold: as the user wrote it
        _hline(ax, 1 / tau, f"1/τ = {1 / tau:.4g}", "--", PASS)
        ax.axhline(1.0, color="#555555", linewidth=0.8, zorder=1)
        ratios = []
        for i, row in enumerate(rows):
            ratio = comparisons[row.key].ratio.value
            if row.key == report.reference:  # the yardstick: ratio 1 by definition, not judged
                ax.bar(i, 1.0, width=0.65, color=INFORMATION, alpha=0.35, zorder=2)
                ax.annotate("ref.", xy=(i, 1.0), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, color=INFORMATION)
                continue
            if ratio is None or row.below_minimum:
                ax.text(i, 0.02, "—", ha="center", va="bottom", fontsize=12, color=NOT_EVALUATED)
                continue
            ratios.append(ratio)
            inside = tau <= ratio <= 1 / tau
            ax.bar(i, ratio, width=0.65, color=PASS if inside else FAIL, zorder=2,
                   hatch=None if inside else "xx", edgecolor="white")
            ax.annotate(f"{'✓' if inside else '✗'} {fairness_number(ratio)}", xy=(i, ratio),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=8, color=PASS if inside else FAIL)
        handles = [Patch(facecolor=PASS, label="✓ pass: within [τ, 1/τ]"),
                   Patch(facecolor=FAIL, hatch="xx", edgecolor="white",
                         label="✗ fail: outside the band"),
                   Patch(facecolor=INFORMATION, alpha=0.35, label="ref.: reference group"),
                   Patch(facecolor=PASS, alpha=0.10, label="parity band")]
        ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=False,
                  ncols=len(handles))
        _ticks(ax, rows, [_mark(r, report) for r in rows])
        if len(ratios) < len(rows) - 1:
            figure.supxlabel(f"—: not judged (* fewer than {report.min_group_size} rows, or the "
                             "ratio is undefined)", fontsize=8, color="#555555")
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.set_ylim(0, max([1 / tau * 1.3, *[r * 1.2 for r in ratios]]))  # room for the legend
        ax.grid(axis="x", visible=False)
        ax.set_ylabel(f"{metric_title(metric)} ÷ reference")
        ax.set_title(title or f"{metric_title(metric)} disparity vs "
                     f"{' | '.join(report.reference)} ({' × '.join(report.attributes)})")
    return figure
