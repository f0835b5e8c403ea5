"""Qt item models of the Fairness view: groups, parity summary, slices; and the verdict icons.

The rows are plain values built from the service results (:class:`FairnessReport`,
:class:`ParityResult`, :class:`SliceReport`), so what a cell shows is decided here once: four
significant digits, the full value in the tooltip and in copies, "—" with the reason for a
value that is undefined or belongs to a group below the minimum size, and every verdict as an
icon plus a word in its Okabe–Ito colour (UI.md: never colour alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from governance_app.charts.number_format import fairness_number, p_value
from governance_app.domain.fairness import (
    FairnessReport,
    GroupKey,
    GroupMetrics,
    MetricValue,
    ParityResult,
    ParityVerdict,
    ReferenceComparison,
    SliceResult,
)
from governance_app.ui.fairness_controls import (
    GLYPHS,
    VERDICT_COLOURS,
    Verdict,
    metric_title,
    verdict_icon,
    verdict_of,
)
from governance_app.ui.item_models import MISSING, Column, RecordTableModel, full_number

_Index = QModelIndex | QPersistentModelIndex

def group_label(key: GroupKey) -> str:
    """``female × 1st`` for an intersection, the value itself for one attribute."""
    return " × ".join(key)


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    """Fail, then insufficient data, then warning, then pass; no verdict: insufficient data."""
    for candidate in (Verdict.FAIL, Verdict.INSUFFICIENT, Verdict.WARNING):
        if candidate in verdicts:
            return candidate
    return Verdict.PASS if verdicts else Verdict.INSUFFICIENT


# -- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group (or "overall") as the group table shows it.

    Attributes:
        group: its metrics from the report.
        min_group_size: the report's minimum, to explain a flagged group.
        is_reference: the group disparities are measured against.
        to_reference: the focus metric's comparison with the reference group.
        parity: this group's parity results, one per tested metric.
    """

    group: GroupMetrics
    min_group_size: int
    is_reference: bool = False
    is_overall: bool = False
    to_reference: ReferenceComparison | None = None
    parity: tuple[ParityResult, ...] = ()

    @property
    def label(self) -> str:
        return "overall" if self.is_overall else group_label(self.group.key)

    def value(self, metric: str) -> MetricValue:
        """The metric, or ``None`` with the reason when undefined or the group is too small."""
        mv = self.group.metrics.get(metric)
        if mv is None:
            return MetricValue(None, f"{metric} was not computed for this table")
        if self.group.count == 0:
            return MetricValue(None, "no rows in this group")
        if self.group.below_minimum:
            shown = f"; value on these rows: {mv.value!r}" if mv.defined else ""
            return MetricValue(None, f"group has {self.group.count} rows, below the minimum "
                                     f"of {self.min_group_size}{shown}")
        return mv

    @property
    def verdict(self) -> Verdict:
        if self.is_overall:
            return Verdict.INSUFFICIENT
        return worst([verdict_of(p.verdict) for p in self.parity])


@dataclass(frozen=True, slots=True)
class ParitySummaryRow:
    """One parity metric over all groups: spread, and how many groups pass or fail."""

    metric: str
    difference: MetricValue
    ratio: MetricValue
    results: tuple[ParityResult, ...]
    tau: float

    def count(self, verdict: ParityVerdict) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def verdict(self) -> Verdict:
        """Fail if any group fails; warning if all judged pass but some could not be judged."""
        if self.count(ParityVerdict.FAIL):
            return Verdict.FAIL
        judged = self.count(ParityVerdict.PASS)
        if judged and self.count(ParityVerdict.INSUFFICIENT_DATA):
            return Verdict.WARNING
        return Verdict.PASS if judged else Verdict.INSUFFICIENT


# -- cell helpers -------------------------------------------------------------------------------


def _show(mv: MetricValue) -> str:
    """Rates, ratios and differences in the one form the charts and the PDF print."""
    return fairness_number(mv.value)


def _tip(mv: MetricValue) -> str:
    return repr(mv.value) if mv.value is not None else (mv.reason or "undefined")


def _key(mv: MetricValue) -> float | None:
    return mv.value


def _metric_column(metric: str) -> Column:
    return Column(metric_title(metric), lambda r: _show(r.value(metric)),
                  sort_key=lambda r: _key(r.value(metric)),
                  tooltip=lambda r: _tip(r.value(metric)),
                  copy=lambda r: full_number(r.value(metric).value), numeric=True)


class _VerdictModel(RecordTableModel):
    """A record table whose columns may change and whose verdict columns carry an icon."""

    verdict_columns: frozenset[int] = frozenset()

    def __init__(self, columns: Sequence[Column], rows: Sequence[Any] = (),
                 parent: Any = None) -> None:
        self.columns = list(columns)
        super().__init__(rows, parent)

    def set_table(self, columns: Sequence[Column], rows: Sequence[Any],
                  verdict_columns: Sequence[int] = ()) -> None:
        """Replace columns and rows in one reset (a new metric set or attribute)."""
        self.beginResetModel()
        self.columns = list(columns)
        self._titles = [c.title for c in self.columns]
        self._rows = list(rows)
        self.verdict_columns = frozenset(verdict_columns)
        self.endResetModel()

    def _verdict(self, row: Any, column: int) -> Verdict | None:
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DecorationRole and index.isValid()
                and index.column() in self.verdict_columns
                and 0 <= index.row() < len(self._rows)):
            verdict = self._verdict(self._rows[index.row()], index.column())
            return verdict_icon(verdict) if verdict is not None else None
        return super().data(index, role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return getattr(self, "header_tips", {}).get(section)
        return super().headerData(section, orientation, role)


# -- the group table ----------------------------------------------------------------------------


def _focus_verdict(row: GroupRow, metric: str) -> Verdict | None:
    """The parity verdict of ``metric`` for this group, when ``metric`` was tested."""
    found = [p for p in row.parity if p.metric == metric]
    return verdict_of(found[0].verdict) if found and not row.is_reference else None


def _ratio_text(row: GroupRow, metric: str) -> str:
    if row.is_overall or row.to_reference is None:
        return MISSING
    if row.is_reference:
        return "reference"
    verdict = _focus_verdict(row, metric)
    glyph = f" {GLYPHS[verdict]}" if verdict in (Verdict.PASS, Verdict.FAIL) else ""
    return _show(row.to_reference.ratio) + glyph


def _ratio_tip(row: GroupRow, metric: str) -> str:
    if row.is_overall:
        return "the whole table is not compared with a group"
    if row.to_reference is None:
        return "no comparison for this group"
    if row.is_reference:
        return f"the reference group: every group's {metric} is divided by this group's"
    c = row.to_reference
    verdict = _focus_verdict(row, metric)
    said = f"\nparity: {verdict.value}" if verdict is not None else ""
    return (f"{metric} ratio to the reference: {_tip(c.ratio)}\n"
            f"difference to the reference: {_tip(c.difference)}{said}")


def failing_metrics(row: GroupRow) -> list[str]:
    """The tested metrics whose parity this group fails, in the test's order."""
    return [metric_title(p.metric) for p in row.parity if verdict_of(p.verdict) is Verdict.FAIL]


def _verdict_text(row: GroupRow) -> str:
    """The row's verdict in words, naming what fails: a ✓ in the ratio column (the focus
    metric) beside "fail" must say which other metric fails. The reference group is the
    yardstick, not a group that passes."""
    if row.is_overall:
        return MISSING
    if row.is_reference:
        return "reference"
    if row.verdict is Verdict.FAIL:
        return "fail: " + ", ".join(failing_metrics(row))
    return row.verdict.value


def _verdict_tip(row: GroupRow) -> str:
    if row.is_overall:
        return "parity is tested per group"
    if row.is_reference:
        return "the reference group: every other group's metrics are divided by its own"
    if not row.parity:
        return "no parity test for this group (no rows)"
    lines = [f"{metric_title(p.metric)}: ratio {_show(p.disparity)} → {p.verdict.value}"
             + ("" if p.disparity.defined else f" ({p.disparity.reason})")
             for p in row.parity]
    tau = row.parity[0].tau
    return f"passes when {tau:g} ≤ ratio ≤ {1 / tau:.4g}\n" + "\n".join(lines)


class GroupMetricsTableModel(_VerdictModel):
    """Groups (and "overall") × the chosen metrics, the focus metric's ratio, the verdict."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(self.build_columns(("selection_rate",), "selection_rate"), (), parent)
        self.header_tips: dict[int, str] = {}

    @staticmethod
    def build_columns(metrics: Sequence[str], focus: str) -> list[Column]:
        return [
            Column("Group", lambda r: r.label, sort_key=lambda r: (not r.is_overall, r.label),
                   tooltip=lambda r: (f"{r.label} (reference group)" if r.is_reference
                                      else r.label),
                   bold=lambda r: r.is_overall or r.is_reference),
            Column("n", lambda r: f"{r.group.count:,}", sort_key=lambda r: r.group.count,
                   copy=lambda r: str(r.group.count), numeric=True,
                   tooltip=lambda r: (f"{r.group.count} rows, below the minimum of "
                                      f"{r.min_group_size}" if r.group.below_minimum
                                      else f"{r.group.count} rows")),
            *(_metric_column(m) for m in metrics),
            Column(f"{metric_title(focus)} ratio", lambda r: _ratio_text(r, focus),
                   sort_key=lambda r: None if r.is_reference or r.to_reference is None
                   else r.to_reference.ratio.value,
                   tooltip=lambda r: _ratio_tip(r, focus),
                   copy=lambda r: (full_number(r.to_reference.ratio.value)
                                   if r.to_reference and not r.is_reference else MISSING),
                   foreground=lambda r: (VERDICT_COLOURS[v] if (v := _focus_verdict(r, focus))
                                         in (Verdict.PASS, Verdict.FAIL) else None),
                   numeric=True),
            Column("Parity", _verdict_text, sort_key=lambda r: _verdict_order(r.verdict),
                   tooltip=_verdict_tip,
                   foreground=lambda r: (None if r.is_overall or r.is_reference
                                         else VERDICT_COLOURS[r.verdict])),
        ]

    def set_groups(self, rows: Sequence[GroupRow], metrics: Sequence[str], focus: str) -> None:
        columns = self.build_columns(metrics, focus)
        self.set_table(columns, rows, [len(columns) - 1])
        self.header_tips = {2 + i: m for i, m in enumerate(metrics)}
        self.header_tips[len(columns) - 2] = (f"{focus} of the group / of the reference group")
        self.header_tips[len(columns) - 1] = "worst parity verdict over the tested metrics"

    def _verdict(self, row: GroupRow, column: int) -> Verdict | None:
        return None if row.is_overall or row.is_reference else row.verdict

    def row_for_label(self, label: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.label == label), -1)


def _verdict_order(verdict: Verdict) -> int:
    return [Verdict.FAIL, Verdict.WARNING, Verdict.INSUFFICIENT, Verdict.PASS].index(verdict)


# -- the parity summary -------------------------------------------------------------------------


def _parity_tip(row: ParitySummaryRow) -> str:
    head = (f"{row.metric}: a group passes when {row.tau:g} ≤ group / reference ≤ "
            f"{1 / row.tau:.4g}")
    failing = [group_label(r.key) for r in row.results if r.verdict == ParityVerdict.FAIL]
    unknown = [group_label(r.key) for r in row.results
               if r.verdict == ParityVerdict.INSUFFICIENT_DATA]
    parts = [head]
    if failing:
        parts.append("fail: " + ", ".join(failing))
    if unknown:
        parts.append("insufficient data: " + ", ".join(unknown))
    return "\n".join(parts)


class ParitySummaryTableModel(_VerdictModel):
    """One row per parity metric: difference, ratio, counts of pass / fail / insufficient."""

    def __init__(self, parent: Any = None) -> None:
        columns = [
            Column("Metric", lambda r: metric_title(r.metric), tooltip=_parity_tip),
            Column("Verdict", lambda r: r.verdict.value,
                   sort_key=lambda r: _verdict_order(r.verdict), tooltip=_parity_tip,
                   foreground=lambda r: VERDICT_COLOURS[r.verdict]),
            Column("max − min", lambda r: _show(r.difference),
                   sort_key=lambda r: r.difference.value,
                   tooltip=lambda r: _tip(r.difference),
                   copy=lambda r: full_number(r.difference.value), numeric=True),
            Column("min / max", lambda r: _show(r.ratio), sort_key=lambda r: r.ratio.value,
                   tooltip=lambda r: _tip(r.ratio), copy=lambda r: full_number(r.ratio.value),
                   numeric=True),
            Column("Pass", lambda r: str(r.count(ParityVerdict.PASS)),
                   sort_key=lambda r: r.count(ParityVerdict.PASS), numeric=True),
            Column("Fail", lambda r: str(r.count(ParityVerdict.FAIL)),
                   sort_key=lambda r: r.count(ParityVerdict.FAIL), numeric=True),
            Column("Insuff.", lambda r: str(r.count(ParityVerdict.INSUFFICIENT_DATA)),
                   sort_key=lambda r: r.count(ParityVerdict.INSUFFICIENT_DATA), numeric=True),
        ]
        super().__init__(columns, (), parent)
        self.verdict_columns = frozenset({1})
        self.header_tips = {2: "largest minus smallest group value (max − min)",
                            3: "smallest over largest group value (min / max)",
                            6: "groups too small, or with an undefined ratio, to judge"}

    def set_summary(self, rows: Sequence[ParitySummaryRow]) -> None:
        self.set_rows(rows)

    def _verdict(self, row: ParitySummaryRow, column: int) -> Verdict | None:
        return row.verdict


# -- the slice finder ---------------------------------------------------------------------------


def _conditions(s: SliceResult) -> str:
    return " ∧ ".join(str(c) for c in s.conditions)


def _float_column(title: str, attr: str, show: Any = fairness_number) -> Column:
    return Column(title, lambda s: show(getattr(s, attr)),
                  sort_key=lambda s: getattr(s, attr),
                  copy=lambda s: repr(getattr(s, attr)), numeric=True)


class SliceTableModel(RecordTableModel):
    """The slice finder's top slices: conditions, size, metric inside and outside, effect, p."""

    columns = [
        Column("Slice", _conditions, tooltip=_conditions),
        Column("Size", lambda s: f"{s.size:,}", sort_key=lambda s: s.size,
               copy=lambda s: str(s.size), numeric=True),
        _float_column("Metric", "metric_value"),
        _float_column("Rest", "complement_value"),
        _float_column("Effect", "effect_size"),
        _float_column("p", "p_value", p_value),
        _float_column("Adjusted p", "p_adjusted", p_value),
    ]

    def set_metric(self, metric: str) -> None:
        """Name the metric in the header: "Error rate" inside the slice and on the rest."""
        self.set_column_title(2, metric_title(metric))
        self.set_column_title(3, "Rest")


# -- rows from a report -------------------------------------------------------------------------


def group_rows(report: FairnessReport, parity: Sequence[ParityResult],
               focus: str) -> list[GroupRow]:
    """"overall" first, then every group of ``report`` with its focus comparison and parity."""
    by_key: dict[GroupKey, list[ParityResult]] = {}
    for result in parity:
        by_key.setdefault(result.key, []).append(result)
    disparity = report.disparities.get(focus)
    comparisons = ({c.key: c for c in disparity.to_reference} if disparity else {})
    rows = [GroupRow(report.overall, report.min_group_size, is_overall=True)]
    rows.extend(
        GroupRow(g, report.min_group_size, is_reference=g.key == report.reference,
                 to_reference=comparisons.get(g.key), parity=tuple(by_key.get(g.key, ())))
        for g in report.groups)
    return rows


def parity_summary(report: FairnessReport, parity: Sequence[ParityResult],
                   tau: float) -> list[ParitySummaryRow]:
    """One summary row per tested metric, in the order the parity test listed them."""
    metrics = list(dict.fromkeys(p.metric for p in parity))
    return [ParitySummaryRow(m, report.disparities[m].difference, report.disparities[m].ratio,
                             tuple(p for p in parity if p.metric == m), tau)
            for m in metrics if m in report.disparities]
