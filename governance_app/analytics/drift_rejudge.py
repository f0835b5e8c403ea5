"""Judge a stored drift result again under a gate policy's ``drift:`` section.

Why: a gate reads the newest *stored* result of a version (an Evidently export, or drift we
computed), but the policy decides the thresholds it is held to. The scores are kept in the
store, so a threshold or the dataset's drift share can be applied again without the data. A
different *method* needs that method's score, which a result holds when it was computed with
every statistic (``drift --policy`` computes the policy's method directly); when it is absent
the column cannot be judged and that is an error naming the column, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from governance_app.analytics.drift_columns import score_of, verdict
from governance_app.analytics.drift_select import ColumnRule, DriftPolicy
from governance_app.domain.drift import DEFAULT_THRESHOLDS, ColumnDrift, DatasetDrift
from governance_app.errors import InputError

D = TypeVar("D", bound=DatasetDrift)


def rejudge_column(column: ColumnDrift, policy: DriftPolicy) -> ColumnDrift:
    """One stored column under the policy's method and threshold for it.

    The method is the column's rule, else the policy's, else the one it was judged with; the
    threshold likewise, else the method's default (or the stored one, for the same method).
    An undefined score stays undefined.

    Raises:
        InputError: the policy asks for a method whose score the result does not hold.
    """
    rule = policy.per_column.get(column.column, ColumnRule())
    method = rule.method or policy.method or column.method
    threshold = rule.threshold if rule.threshold is not None else policy.threshold
    if threshold is None:
        threshold = column.threshold if method == column.method else DEFAULT_THRESHOLDS[method]
    if column.score is None:
        return replace(column, method=method, threshold=threshold)
    if method == column.method:
        score, statistic, p_value = column.score, column.statistic, column.p_value
    else:
        try:
            score, statistic, p_value = score_of(method, column.details)
        except KeyError:
            field = f"drift.columns.{column.column}.method" if rule.method else "drift.method"
            raise InputError(policy.source, f"the stored drift result judged {column.column!r}"
                             f" with {column.method} and holds no {method} score",
                             location=field,
                             expected=f"a result computed with {method}: recompute it with "
                             "`governance-app drift-history … --policy FILE --model …`") from None
    return replace(column, method=method, threshold=threshold, score=score, statistic=statistic,
                   p_value=p_value, drifted=verdict(method, score, threshold))


def rejudge(drift: D, policy: DriftPolicy, drift_share: float | None = None) -> D:
    """A stored dataset result with every column judged again and the share recounted.

    Args:
        drift: the stored result (its subclass and extra fields, such as a digest, are kept).
        policy: the policy's drift section as a :class:`DriftPolicy`.
        drift_share: the policy's dataset drift share; ``None`` keeps the stored one.

    Raises:
        InputError: a rule names a column the result does not have, or a method whose score
            it does not hold.
    """
    names: Sequence[str] = [c.column for c in drift.columns]
    unknown = [c for c in policy.per_column if c not in names]
    if unknown:
        raise InputError(policy.source, f"the stored drift result has no column {unknown[0]!r}",
                         location=f"drift.columns.{unknown[0]}", expected=f"one of {list(names)}")
    columns = tuple(rejudge_column(c, policy) for c in drift.columns)
    share_limit = drift.threshold if drift_share is None else drift_share
    defined = [c for c in columns if c.defined]
    share = sum(c.drifted for c in defined) / len(defined) if defined else 0.0
    return replace(drift, columns=columns, share_drifted=share, threshold=share_limit,
                   drifted=bool(defined) and share >= share_limit)
