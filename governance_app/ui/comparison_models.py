"""Table models for two versions compared: metric deltas in words and arrows, parameter diffs."""

from __future__ import annotations

from governance_app.charts import style
from governance_app.domain.views import MetricDelta
from governance_app.ui.item_models import (
    MISSING,
    Column,
    RecordTableModel,
    format_number,
    full_number,
)

# Which way is "better" is only known for common metric names; others are described as
# higher/lower without a verdict rather than guessed.
_HIGHER_IS_BETTER = ("auc", "accuracy", "precision", "recall", "f1", "parity_ratio", "r2")
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mse", "mae", "latency", "difference")


def change_direction(key: str) -> int:
    """``+1`` when higher is better for ``key``, ``-1`` when lower is, ``0`` when unknown."""
    lowered = key.lower()
    if any(word in lowered for word in _LOWER_IS_BETTER):
        return -1
    if any(word in lowered for word in _HIGHER_IS_BETTER):
        return 1
    return 0


def describe_change(delta: MetricDelta) -> tuple[str, str]:
    """The change as an arrow, signed number and word, and the colour for it."""
    if delta.delta is None:
        side = "first" if delta.a is None else "second"
        return f"{MISSING} not in {side} version", style.NOT_EVALUATED
    if delta.delta == 0:
        return "= same", style.NOT_EVALUATED
    arrow = "▲" if delta.delta > 0 else "▼"
    text = f"{arrow} {delta.delta:+.4g}"
    direction = change_direction(delta.key)
    if direction == 0:
        return f"{text} {'higher' if delta.delta > 0 else 'lower'}", style.INFORMATION
    better = (delta.delta > 0) == (direction > 0)
    return f"{text} {'better' if better else 'worse'}", style.PASS if better else style.FAIL


def _change_tooltip(delta: MetricDelta) -> str:
    direction = change_direction(delta.key)
    rule = {
        1: "higher is better for this metric (from its name)",
        -1: "lower is better for this metric (from its name)",
        0: "which direction is better is not known for this metric",
    }[direction]
    return f"b − a = {full_number(delta.delta)}; {rule}"


class MetricDeltaTableModel(RecordTableModel):
    """Rows of :class:`MetricDelta`; the a/b column titles name the versions compared."""

    columns = [
        Column("Metric", lambda d: d.key),
        Column(
            "a",
            lambda d: format_number(d.a),
            sort_key=lambda d: d.a,
            copy=lambda d: full_number(d.a),
            numeric=True,
        ),
        Column(
            "b",
            lambda d: format_number(d.b),
            sort_key=lambda d: d.b,
            copy=lambda d: full_number(d.b),
            numeric=True,
        ),
        Column(
            "Change (b − a)",
            lambda d: describe_change(d)[0],
            sort_key=lambda d: d.delta,
            copy=lambda d: full_number(d.delta),
            tooltip=_change_tooltip,
            numeric=True,
            foreground=lambda d: describe_change(d)[1],
        ),
    ]


class ParamDiffTableModel(RecordTableModel):
    """Rows of :class:`ParamDiff`; changed rows are bold and say "changed" in words."""

    columns = [
        Column("Parameter", lambda p: p.key, bold=lambda p: p.changed),
        Column("a", lambda p: MISSING if p.a is None else p.a, bold=lambda p: p.changed),
        Column("b", lambda p: MISSING if p.b is None else p.b, bold=lambda p: p.changed),
        Column(
            "Changed",
            lambda p: "● changed" if p.changed else "same",
            sort_key=lambda p: ("0 " if p.changed else "1 ") + p.key,
            foreground=lambda p: style.WARNING if p.changed else style.NOT_EVALUATED,
            bold=lambda p: p.changed,
        ),
    ]
