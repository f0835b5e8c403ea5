"""Exact per-group ROC AUC from an engine: its rank sums placed on the counted groups.

An engine that can rank scores where the rows are (``rank_sums``) returns, per attribute set,
a few integers per group; they replace the score histogram as the source of the AUC, so the
histogram kept for threshold sweeps may be rounded (:mod:`~.analytics.sufficient_stats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from governance_app.analytics.roc_auc_ranks import rank_sums_from_frame
from governance_app.analytics.sufficient_stats import FairnessCounts
from governance_app.engines.base import FairnessSpec
from governance_app.engines.source import TableSource


def exact_auc(engine: Any, source: TableSource, spec: FairnessSpec, counted: FairnessCounts,
              bins: Mapping[str, Sequence[float]] | None) -> FairnessCounts:
    """``counted`` with the engine's exact rank sums for every attribute set (and overall).

    Call it after :func:`~.sufficient_stats.from_count_frame` validated the counts (binary
    labels, no missing score or attribute): the ranking reads the same rows again.
    """
    frames = engine.rank_sums(source, spec, bins or None)
    binned = tuple(bins or ())
    sums = {names: rank_sums_from_frame(frame, counted.counts, names, binned, source.text)
            for names, frame in frames.items()}
    return replace(counted, rank_sums=sums)
