"""Fairness results <-> plain JSON, at full precision, for the database and for ``--json``.

Group keys are lists (a group value may hold any character, so keys are never joined into
strings), undefined numbers are ``null`` beside their reason, and non-finite floats (a z
statistic can be infinite) are the strings ``"Infinity"``, ``"-Infinity"``, ``"NaN"``: the
PostgreSQL JSON type refuses bare ``NaN``. Python writes floats with ``repr``, which reads back
bit for bit, so stored numbers equal the computed ones exactly.
"""

from __future__ import annotations

import math
from typing import Any

from governance_app.domain.fairness import (
    BootstrapResult,
    ConfidenceInterval,
    ConfusionCells,
    Disparity,
    FairnessReport,
    GroupMetrics,
    MetricValue,
    ParityResult,
    ParityVerdict,
    ReferenceComparison,
    SliceCondition,
    SliceReport,
    SliceResult,
)
from governance_app.domain.fairness_evidence import AttributeAnalysis, FairnessAnalysis

FORMAT = 1


def _f(x: float | None) -> float | str | None:
    if x is None or math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _uf(x: float | str | None) -> float | None:
    return float(x) if isinstance(x, str) else x


def _key(key: tuple[str, ...] | None) -> list[str] | None:
    return None if key is None else list(key)


def _ukey(key: list[str] | None) -> tuple[str, ...] | None:
    return None if key is None else tuple(key)


def _mv(v: MetricValue) -> dict[str, Any]:
    return {"value": _f(v.value), "reason": v.reason}


def _umv(d: dict[str, Any]) -> MetricValue:
    return MetricValue(_uf(d["value"]), d["reason"])


def _group(g: GroupMetrics) -> dict[str, Any]:
    return {"key": list(g.key), "count": g.count, "below_minimum": g.below_minimum,
            "cells": {"tn": g.cells.tn, "fp": g.cells.fp, "fn": g.cells.fn, "tp": g.cells.tp},
            "metrics": {k: _mv(v) for k, v in g.metrics.items()}}


def _ugroup(d: dict[str, Any]) -> GroupMetrics:
    c = d["cells"]
    return GroupMetrics(tuple(d["key"]), d["count"], ConfusionCells(c["tn"], c["fp"], c["fn"],
                        c["tp"]), {k: _umv(v) for k, v in d["metrics"].items()},
                        d["below_minimum"])


def encode_report(r: FairnessReport) -> dict[str, Any]:
    """A :class:`FairnessReport` as JSON values."""
    return {
        "attributes": list(r.attributes), "convention": r.convention,
        "min_group_size": r.min_group_size, "reference": list(r.reference),
        "overall": _group(r.overall), "groups": [_group(g) for g in r.groups],
        "summary": {k: _mv(v) for k, v in r.summary.items()},
        "disparities": [
            {"metric": d.metric, "difference": _mv(d.difference), "ratio": _mv(d.ratio),
             "max_group": _key(d.max_group), "min_group": _key(d.min_group),
             "to_reference": [{"key": list(c.key), "difference": _mv(c.difference),
                               "ratio": _mv(c.ratio)} for c in d.to_reference]}
            for d in r.disparities.values()
        ],
    }


def decode_report(d: dict[str, Any]) -> FairnessReport:
    """The inverse of :func:`encode_report`."""
    disparities = {
        x["metric"]: Disparity(
            x["metric"], _umv(x["difference"]), _umv(x["ratio"]), _ukey(x["max_group"]),
            _ukey(x["min_group"]),
            tuple(ReferenceComparison(tuple(c["key"]), _umv(c["difference"]), _umv(c["ratio"]))
                  for c in x["to_reference"]))
        for x in d["disparities"]
    }
    return FairnessReport(
        tuple(d["attributes"]), tuple(_ugroup(g) for g in d["groups"]), _ugroup(d["overall"]),
        tuple(d["reference"]), disparities, {k: _umv(v) for k, v in d["summary"].items()},
        d["convention"], d["min_group_size"])


def _ci(c: ConfidenceInterval) -> dict[str, Any]:
    return {"estimate": _f(c.estimate), "low": _f(c.low), "high": _f(c.high), "level": c.level,
            "undefined_share": c.undefined_share, "reason": c.reason}


def _uci(d: dict[str, Any]) -> ConfidenceInterval:
    return ConfidenceInterval(_uf(d["estimate"]), _uf(d["low"]), _uf(d["high"]), d["level"],
                              d["undefined_share"], d["reason"])


def encode_bootstrap(b: BootstrapResult) -> dict[str, Any]:
    """A :class:`BootstrapResult` as JSON values."""
    return {
        "n_resamples": b.n_resamples, "seed": b.seed, "level": b.level,
        "groups": [{"key": list(k), "metrics": {m: _ci(c) for m, c in v.items()}}
                   for k, v in b.groups.items()],
        "disparities": {m: {kind: _ci(c) for kind, c in v.items()}
                        for m, v in b.disparities.items()},
        "ranking": {m: [list(k) for k in keys] for m, keys in b.ranking.items()},
        "flagged": [list(k) for k in b.flagged],
    }


def decode_bootstrap(d: dict[str, Any]) -> BootstrapResult:
    """The inverse of :func:`encode_bootstrap`."""
    return BootstrapResult(
        d["n_resamples"], d["seed"], d["level"],
        {tuple(g["key"]): {m: _uci(c) for m, c in g["metrics"].items()} for g in d["groups"]},
        {m: {kind: _uci(c) for kind, c in v.items()} for m, v in d["disparities"].items()},
        {m: tuple(tuple(k) for k in keys) for m, keys in d["ranking"].items()},
        tuple(tuple(k) for k in d["flagged"]))


def _parity(p: ParityResult) -> dict[str, Any]:
    return {"key": list(p.key), "metric": p.metric, "disparity": _mv(p.disparity),
            "verdict": p.verdict.value, "tau": p.tau}


def _uparity(d: dict[str, Any]) -> ParityResult:
    return ParityResult(tuple(d["key"]), d["metric"], _umv(d["disparity"]),
                        ParityVerdict(d["verdict"]), d["tau"])


def encode_slices(s: SliceReport) -> dict[str, Any]:
    """A :class:`SliceReport` as JSON values."""
    return {
        "metric": s.metric, "overall_value": _f(s.overall_value),
        "slices_tested": s.slices_tested, "alpha": s.alpha,
        "slices": [{"conditions": [{"column": c.column, "value": c.value} for c in x.conditions],
                    "size": x.size, "metric_value": _f(x.metric_value),
                    "complement_value": _f(x.complement_value),
                    "effect_size": _f(x.effect_size), "z": _f(x.z), "p_value": _f(x.p_value),
                    "p_adjusted": _f(x.p_adjusted)} for x in s.slices],
    }


def decode_slices(d: dict[str, Any]) -> SliceReport:
    """The inverse of :func:`encode_slices`."""
    return SliceReport(
        d["metric"], _uf(d["overall_value"]), d["slices_tested"], d["alpha"],  # type: ignore[arg-type]
        tuple(SliceResult(tuple(SliceCondition(c["column"], c["value"]) for c in x["conditions"]),
                          x["size"], _uf(x["metric_value"]), _uf(x["complement_value"]),
                          _uf(x["effect_size"]), _uf(x["z"]), _uf(x["p_value"]),
                          _uf(x["p_adjusted"]))  # type: ignore[arg-type]
              for x in d["slices"]))


def encode_results(a: FairnessAnalysis) -> dict[str, Any]:
    """The computed part of an analysis (what the ``report`` column holds)."""
    return {
        "format": FORMAT,
        "analyses": [
            {"attributes": list(x.attributes), "report": encode_report(x.report),
             "bootstrap": None if x.bootstrap is None else encode_bootstrap(x.bootstrap),
             "parity": [_parity(p) for p in x.parity]}
            for x in a.analyses.values()
        ],
        "slices": None if a.slices is None else encode_slices(a.slices),
        **({} if a.computation is None else {"computation": a.computation}),
    }


def encode_analysis(a: FairnessAnalysis) -> dict[str, Any]:
    """A whole analysis, with what it was computed from: the ``--json`` form."""
    return {"source": a.source, "source_sha256": a.source_sha256, "row_count": a.row_count,
            "schema": dict(a.schema), "settings": dict(a.settings), **encode_results(a)}


def decode_analysis(d: dict[str, Any]) -> FairnessAnalysis:
    """The inverse of :func:`encode_analysis`."""
    analyses = {}
    for x in d["analyses"]:
        key = tuple(x["attributes"])
        analyses[key] = AttributeAnalysis(
            key, decode_report(x["report"]),
            None if x["bootstrap"] is None else decode_bootstrap(x["bootstrap"]),
            tuple(_uparity(p) for p in x["parity"]))
    return FairnessAnalysis(
        d["source"], d["source_sha256"], d["row_count"], dict(d["schema"]), dict(d["settings"]),
        analyses, None if d["slices"] is None else decode_slices(d["slices"]),
        computation=d.get("computation"))
