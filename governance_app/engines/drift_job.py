"""A drift comparison run by an engine: summaries, then one reduction per column, then verdicts.

The engine counts; :mod:`~governance_app.analytics.drift_from_counts` judges. The counts each
verdict came from are returned too, to be stored with the result. An integer column whose
current sample has few distinct values is compared as categories, as in memory and in the
drift history (:func:`~governance_app.analytics.drift_columns.integer_as_categories`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from governance_app.analytics.drift_columns import integer_as_categories
from governance_app.analytics.drift_from_counts import categorical_column, numeric_column
from governance_app.analytics.drift_select import DriftPolicy, check_policy_columns, dataset_drift
from governance_app.domain.drift import DatasetDrift
from governance_app.engines.base import Engine, EngineCancelled, IsCancelled, Progress
from governance_app.engines.history_job import INTEGER_TYPES
from governance_app.engines.source import TableSource
from governance_app.errors import InputError


def shared_columns(engine: Engine, reference: TableSource, current: TableSource,
                   columns: Sequence[str] | None) -> list[str]:
    """The columns to compare: the named ones, or every column the two tables share.

    Raises:
        InputError: a named column missing from either table, or no shared column.
    """
    ref_schema, cur_schema = engine.schema(reference), engine.schema(current)
    if columns:
        for name in columns:
            for schema, src in ((ref_schema, reference), (cur_schema, current)):
                if name not in schema:
                    raise InputError(src.text, f"no column {name!r}", location="header",
                                     expected=f"one of {list(schema)}")
        return list(columns)
    names = [c for c in ref_schema if c in cur_schema]
    if not names:
        raise InputError(current.text, "shares no column with the reference",
                         expected=f"some of {list(ref_schema)}")
    return names


def drift_with_engine(
    engine: Engine,
    reference: TableSource,
    current: TableSource,
    policy: DriftPolicy,
    *,
    columns: Sequence[str] | None = None,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> tuple[DatasetDrift, dict[str, Any], int, int]:
    """Drift of ``current`` against ``reference``, every column counted by ``engine``.

    Returns:
        The verdicts, the counts per column (for the record), and the two tables' row counts.

    Raises:
        InputError: missing columns, a reference column with no value, a policy rule for a
            column not compared, or a table the engine cannot read.
        EngineCancelled: ``is_cancelled()`` turned true.
    """
    names = shared_columns(engine, reference, current, columns)
    check_policy_columns(policy, names)
    ref_schema, cur_schema = engine.schema(reference), engine.schema(current)
    summaries = engine.drift_summaries(reference, current, names)
    results, record = [], {}
    for done, s in enumerate(summaries, start=1):
        if is_cancelled is not None and is_cancelled():
            raise EngineCancelled("drift computation cancelled; nothing was stored")
        if s.n_ref == 0:
            raise InputError(reference.text, f"column {s.name!r} has no non-null value",
                             location=f"column {s.name}",
                             expected="at least one non-null reference value")
        nulls = (s.nulls_ref, s.nulls_cur)
        integer = s.numeric and ref_schema[s.name].upper() in INTEGER_TYPES and \
            cur_schema[s.name].upper() in INTEGER_TYPES
        numeric = s.numeric and not (  # Evidently's rule, as in memory: few distinct current
            integer and s.n_cur and integer_as_categories(policy, s.name, True, 0)  # integers
            and integer_as_categories(policy, s.name, True,  # are categories
                                      engine.distinct_reference(current, s.name, True)))
        if numeric:
            unique = (engine.distinct_reference(reference, s.name, True)
                      if s.n_cur == 0 else -1)
            column, counts = numeric_column(
                s.name, engine.numeric_parts(reference, current, s.name) if s.n_cur else None,
                nulls, s.n_ref, s.n_cur, unique, policy)
        else:
            column, counts = categorical_column(
                s.name, engine.category_counts(reference, current, s.name), policy)
        results.append(column)
        record[s.name] = {"numeric": numeric, "nulls": list(nulls), **counts}
        if progress is not None:
            progress(done, len(summaries), s.name)
    n_ref = summaries[0].n_ref + summaries[0].nulls_ref if summaries else 0
    n_cur = summaries[0].n_cur + summaries[0].nulls_cur if summaries else 0
    return dataset_drift(results, policy.drift_share), record, n_ref, n_cur
