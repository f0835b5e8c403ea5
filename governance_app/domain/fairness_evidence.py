"""Fairness evidence attached to a model version: what one prediction table showed.

A prediction table is analysed once, at import; its rows stay in the file and only these
results (with the file's SHA-256, schema and row count) are kept, so a review years later can
tell exactly which data the numbers came from and re-check them against the file.
Standard library only, like the rest of :mod:`governance_app.domain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from governance_app.domain.fairness import (
    BootstrapResult,
    FairnessReport,
    ParityResult,
    SliceReport,
)


@dataclass(frozen=True, slots=True)
class AttributeAnalysis:
    """Everything computed for one choice of sensitive attributes (one, or an intersection).

    Attributes:
        attributes: the attribute names; several mean their intersection.
        report: group metrics and disparities.
        bootstrap: seeded confidence intervals, ``None`` when the bootstrap was switched off.
        parity: Aequitas-style verdicts per group and parity metric against the reference.
    """

    attributes: tuple[str, ...]
    report: FairnessReport
    bootstrap: BootstrapResult | None
    parity: tuple[ParityResult, ...]


def attribute_key(sensitive: str | Sequence[str]) -> tuple[str, ...]:
    """``"sex"``, ``"sex,age_group"`` or ``["sex", "age_group"]`` as an attribute tuple."""
    if isinstance(sensitive, str):
        return tuple(part.strip() for part in sensitive.split(",") if part.strip())
    return tuple(sensitive)


@dataclass(frozen=True, slots=True)
class FairnessAnalysis:
    """The fairness results of one prediction table under one set of settings.

    Attributes:
        source: the file analysed.
        source_sha256: its digest; the results name what they were computed from.
        row_count: rows in the file.
        schema: column name -> dtype as read.
        settings: label, prediction / score + threshold, sensitive, bins, reference, minimum
            group size, bootstrap resamples and seed, convention, tau: all that shaped the numbers.
        analyses: per attribute tuple, single attributes first, then intersections.
        slices: the slice finder's top slices when feature columns were given.
        computation: how the numbers were computed: the engine and its version, the source's
            fingerprint and (for DuckDB and Spark) the sufficient statistics they counted, so
            a threshold or policy can be judged again without the rows. Not part of equality:
            the same numbers from two engines are the same evidence.
    """

    source: str
    source_sha256: str
    row_count: int
    schema: dict[str, str]
    settings: dict[str, Any]
    analyses: dict[tuple[str, ...], AttributeAnalysis]
    slices: SliceReport | None = None
    computation: dict[str, Any] | None = field(default=None, compare=False)

    def analysis(self, sensitive: str | Sequence[str]) -> AttributeAnalysis:
        """The analysis of one attribute or intersection (order as given at import).

        Raises:
            KeyError: no such attribute set was analysed; the message lists those that were.
        """
        key = attribute_key(sensitive)
        if key in self.analyses:
            return self.analyses[key]
        for known, analysis in self.analyses.items():
            if sorted(known) == sorted(key):
                return analysis
        known_names = [",".join(k) for k in self.analyses]
        raise KeyError(f"no analysis for {','.join(key)!r}; analysed: {known_names}")


@dataclass(frozen=True, slots=True)
class StoredFairnessResult:
    """A :class:`FairnessAnalysis` as the workspace keeps it, attached to a model version."""

    id: int
    model: str
    version: int
    import_id: int | None
    created_at: datetime
    settings_digest: str
    analysis: FairnessAnalysis = field(repr=False)

    @property
    def ref(self) -> str:
        """``NAME:VERSION``."""
        return f"{self.model}:{self.version}"
