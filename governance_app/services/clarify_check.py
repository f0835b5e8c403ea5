"""Clarify's bias numbers beside the app's own: agree, disagree, or cannot be compared.

When a version has both a Clarify report (imported ``analysis.json``) and a prediction table
analysed by the app for the same attribute, every Clarify metric the app can recompute
(:mod:`governance_app.analytics.clarify_metrics`) is recomputed from the app's counts of the
facet group against the rest, and flagged when the two disagree. Numbers that cannot be
compared say why (no table attached, a numeric threshold facet the app grouped otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from governance_app.analytics.clarify_metrics import APP_NAMES, agrees, clarify_metrics
from governance_app.domain.fairness import ConfusionCells, GroupMetrics
from governance_app.errors import NotFoundError
from governance_app.services.origins import external_evaluations
from governance_app.services.workspace import Workspace

CLARIFY = "clarify-bias"
_INTERVAL = re.compile(r"\(\s*(-?[\d.eE+-]+)\s*,\s*(-?[\d.eE+-]+)\s*\]")


@dataclass(frozen=True, slots=True)
class ClarifyCheck:
    """One Clarify metric of one facet value, with the app's value when it has one.

    ``agrees`` is ``None`` when the two could not be compared; ``reason`` then says why.
    """

    facet: str
    value: str
    stage: str  # "pre" (labels) or "post" (predictions)
    metric: str
    description: str
    app_name: str
    clarify: float
    ours: float | None
    agrees: bool | None
    reason: str = ""


def _groups(ws: Workspace, name: str, version: int, facet: str
            ) -> tuple[tuple[GroupMetrics, ...], str] | None:
    """The app's groups of ``facet`` from the newest analysis that has it, with its source."""
    from governance_app.services.fairness import fairness_results

    for result in reversed(fairness_results(ws, name, version)):
        try:
            report = result.analysis.analysis(facet).report
        except KeyError:
            continue
        return report.groups, result.analysis.source
    return None


def _facet_group(groups: tuple[GroupMetrics, ...], value: str) -> list[GroupMetrics]:
    """The app's groups that make Clarify's facet group: the same value, or for a numeric
    threshold facet (Clarify writes ``(40, 69]``) every numeric group inside the interval."""
    same = [g for g in groups if g.key == (value,)]
    match = _INTERVAL.fullmatch(value.strip())
    if same or match is None:
        return same
    low, high = float(match.group(1)), float(match.group(2))
    try:
        numbers = [(float(g.key[0]), g) for g in groups]
    except ValueError:
        return []
    return [g for number, g in numbers if low < number <= high]


def _sum(groups: list[GroupMetrics]) -> ConfusionCells:
    return ConfusionCells(sum(g.cells.tn for g in groups), sum(g.cells.fp for g in groups),
                          sum(g.cells.fn for g in groups), sum(g.cells.tp for g in groups))


def clarify_checks(ws: Workspace, name: str, version: int) -> list[ClarifyCheck]:
    """Every Clarify metric of the version, compared with the app's where possible.

    Raises:
        NotFoundError: no such version.
    """
    out: list[ClarifyCheck] = []
    for evaluation in external_evaluations(ws, name, version):
        if evaluation.source != CLARIFY:
            continue
        descriptions = evaluation.details.get("descriptions", {})
        for piece in evaluation.slices:
            try:
                found = _groups(ws, name, version, piece.feature)
            except NotFoundError:
                found = None
            ours: dict[str, float | None] = {}
            reason = ""
            if found is None:
                reason = (f"no prediction table analysed for {piece.feature} is attached to "
                          f"{name}:{version}")
            else:
                groups, _source = found
                d = _facet_group(groups, piece.value)
                if not d:
                    known = ", ".join(str(g.key[0]) for g in groups[:8])
                    reason = (f"the app's groups of {piece.feature} ({known}…) do not make "
                              f"Clarify's facet group {piece.value!r}")
                else:
                    rest = [g for g in groups if all(g is not x for x in d)]
                    ours = clarify_metrics(_sum(d), _sum(rest))
            for key, theirs in sorted(piece.metrics.items()):
                stage, _, metric = key.partition(".")
                value = ours.get(metric)
                if reason:
                    verdict, why = None, reason
                elif metric not in ours:
                    verdict, why = None, "the app does not compute this metric"
                elif value is None:
                    verdict, why = None, "undefined on the app's counts"
                else:
                    verdict, why = agrees(value, theirs), ""
                out.append(ClarifyCheck(piece.feature, piece.value, stage, metric,
                                        descriptions.get(metric, metric),
                                        APP_NAMES.get(metric, ""), theirs, value, verdict, why))
    return out
