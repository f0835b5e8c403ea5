"""The model card's story: sections after Mitchell et al., "Model Cards for Model Reporting".

Everything here is drawn from plain values the service gathers (:class:`CardData`); nothing
reads the workspace. A section with no data says so in one line (:data:`NO_DATA`): a reader
must be able to tell "not measured" from "left out".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph

from governance_app.charts.drift_heatmap import drift_heatmap_figure
from governance_app.charts.fairness_bars import metric_bars_figure
from governance_app.charts.lineage_figure import lineage_figure
from governance_app.charts.metric_history import metric_history_figure
from governance_app.charts.number_format import fairness_number
from governance_app.domain.drift_records import DriftResult
from governance_app.domain.fairness_evidence import FairnessAnalysis
from governance_app.domain.governance import Review
from governance_app.domain.lineage import LineageGraph, LineageNode
from governance_app.domain.model_card import EffectiveCard
from governance_app.domain.risk import Finding
from governance_app.domain.views import VersionDetail
from governance_app.governance.evidence import beside_value
from governance_app.governance.keys import grouped
from governance_app.reports.card_pipelines import (
    pipeline_digest,
    pipeline_evidence,
    pipeline_steps,
)
from governance_app.reports.card_text import card_metrics_story, card_text_story
from governance_app.reports.document import (
    data_table,
    figure_image,
    para,
    spacer,
    styles,
    text,
    verdict,
)
from governance_app.reports.risk_sections import (
    ApprovalTermsLine,
    finding_threads,
    findings_table,
    plural,
    terms_table,
)

SECTIONS = ("Model details", "Intended use and limitations", "Training and evaluation data",
            "Metrics", "Fairness", "Drift", "Gate checks", "Approvals",
            "Findings and conditions")
NO_CARD_TEXT = ("No model card text attached; import one with governance-app import CARD "
                "--model {ref}.")
FAIRNESS_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate",
                    "accuracy_score")
Tick = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class CardData:
    """Everything a model card prints, gathered by ``services.reports``."""

    detail: VersionDetail
    generated_at: datetime
    producer: str
    datasets: list[LineageNode] = field(default_factory=list)
    lineage: tuple[LineageGraph, Any, Callable[[LineageNode], float], str] | None = None
    upstream: LineageGraph | None = None
    """Everything upstream of the version (jobs, runs, pipeline steps), before the drawing's
    simplification to the data path: the pipeline steps table reads it."""
    """``(graph, layout, width, focus id)`` of the upstream drawing, when the version has one."""
    fairness: FairnessAnalysis | None = None
    drift: list[DriftResult] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    """The version's reviews, oldest first; the last is "the gate"."""
    card: EffectiveCard | None = None
    """The card text attached to the version (imported and written), if any."""
    findings: list[Finding] = field(default_factory=list)
    """Findings of the version and of its model, oldest first."""
    terms: list[ApprovalTermsLine] = field(default_factory=list)
    """The gates granted to the version with their conditions, expiry and lapses."""

    @property
    def ref(self) -> str:
        return f"{self.detail.version.model_name}:{self.detail.version.version}"


def fmt(value: float | None) -> str:
    """4 significant digits, "—" for a missing value (stored values keep full precision)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.4g}"


def source_name(source: str) -> str:
    """A source file by its name alone: the folder it sat in on the importing machine means
    nothing to the card's reader (and the SHA-256 beside it identifies the content)."""
    return PurePath(source.replace("\\", "/")).name or source


def local(moment: datetime | None) -> str:
    """A time in the producing machine's zone with the zone named (UTC when it has none)."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def model_card_story(data: CardData, frame: float, tick: Tick) -> list[Flowable]:
    """The flowables of the whole card; ``tick(section)`` before each section (progress)."""
    st = styles()
    mv = data.detail.version
    story: list[Flowable] = [
        Paragraph(f"Model card: {text(mv.model_name)} version {mv.version}", st.title),
        para(f"Generated {local(data.generated_at)} by {data.producer}. Sections follow Mitchell "
             "et al., “Model Cards for Model Reporting” (2019).", st.small), spacer(2),
        *_decision_summary(data, frame)]
    builders = (_details, _intended_use, _data, _metrics, _fairness, _drift, _gate, _approvals,
                _findings)
    for title, build in zip(SECTIONS, builders, strict=True):
        tick(title)
        story.append(CondPageBreak(60))
        story.append(Paragraph(text(title), st.h1))
        story.extend(build(data, frame))
    return story


def _empty(message: str) -> list[Flowable]:
    return [para(message, styles().empty)]


def _details(data: CardData, frame: float) -> list[Flowable]:
    mv, run = data.detail.version, data.detail.run
    rows = [("Model", mv.model_name), ("Version", str(mv.version)),
            ("Stage", mv.stage or "—"), ("Aliases", ", ".join(mv.aliases) or "—"),
            ("Owner", mv.user or "—"), ("Status", mv.status or "—"),
            ("Source run", mv.run_id or "—"), ("Artifact URI", mv.source or "—"),
            ("Created", local(mv.created_at)), ("Last updated", local(mv.updated_at)),
            ("Description", mv.description or "—"),
            ("Tags", ", ".join(f"{k}={v}" for k, v in sorted(mv.tags.items())) or "—")]
    if run is not None:
        rows.append(("Experiment", data.detail.experiment_name or "—"))
    return [data_table(["Field", "Value"], rows, [0.22, 0.78], frame)]


def _intended_use(data: CardData, frame: float) -> list[Flowable]:
    return card_text_story(data.card, frame, no_card=NO_CARD_TEXT.format(ref=data.ref),
                           when=local)


def _data(data: CardData, frame: float) -> list[Flowable]:
    if not data.datasets:
        return _empty("No lineage recorded for this version: its training and evaluation "
                      "data are unknown to the workspace.")
    rows = [(n.namespace, n.name, _dataset_digest(n)) for n in data.datasets]
    out: list[Flowable] = [
        para(f"{len(rows)} datasets upstream of {data.ref} (directly or through jobs and runs):"),
        data_table(["Namespace", "Name", "Digest / schema"], rows, [0.32, 0.43, 0.25], frame)]
    if data.lineage is not None:
        graph, layout, width, focus = data.lineage
        figure = lineage_figure(graph, layout, width,
                                title=f"From data to {data.ref}",
                                highlight=[focus], captions=False)
        width_pt, height_pt = (72 * side for side in figure.get_size_inches())
        scale = min(frame / width_pt, LINEAGE_MAX_HEIGHT / height_pt)
        if scale * LINEAGE_LABEL_PT >= MIN_PRINT_PT:  # upright, never shrunk below 7 pt
            out += [spacer(), figure_image(figure, frame, max_height=LINEAGE_MAX_HEIGHT),
                    para("Each arrow is a flow of data through the jobs and runs between two "
                         "datasets; the whole graph: governance-app lineage "
                         f"{data.ref} --upstream --format svg.", styles().small)]
        else:
            out.append(para(
                f"The data path has {len(graph.nodes)} datasets, too many to draw readably on "
                f"a page; the table above lists them, and governance-app lineage {data.ref} "
                "--upstream --format svg draws the whole graph.", styles().small))
        out += pipeline_steps(data.upstream or graph, frame)
    return out


LINEAGE_MAX_HEIGHT = 560.0
"""Points the drawing may take: most of an A4 or Letter frame, with its heading."""
LINEAGE_LABEL_PT = 9.0
"""The drawing's smallest type at scale 1, its box labels (drawn without kind captions;
charts.lineage_figure: layout units are points)."""
MIN_PRINT_PT = 7.0


def _dataset_digest(node: LineageNode) -> str:
    """The dataset's content digest when the lineage carries one, else its schema size."""
    pipeline = pipeline_digest(node)
    if pipeline:
        return pipeline
    for key in ("digest", "sha256", "version"):
        facet = node.facets.get(key) or node.facets.get("datasetVersion", {}).get(key)
        if isinstance(facet, str) and facet:
            return facet
    fields = node.facets.get("schema", {}).get("fields") if isinstance(
        node.facets.get("schema"), dict) else None
    return f"no digest; schema of {len(fields)} fields" if fields else "no digest recorded"


def _metrics(data: CardData, frame: float) -> list[Flowable]:
    latest = data.detail.latest_metrics
    computed, computed_from = _computed_overall(data)
    stated = card_metrics_story(data.card, frame, fmt, computed, computed_from)
    if not latest:
        return [*_empty("No metrics recorded: the version's run was not imported."), *stated]
    rows = [(key, fmt(value)) for key, value in sorted(latest.items())]
    out: list[Flowable] = [data_table(["Metric (latest value)", "Value"], rows, [0.7, 0.3],
                                      frame, right=[1])]
    run = data.detail.run
    if run is not None and any(len(s.values) > 1 for s in run.metrics.values()):
        figure = metric_history_figure(run.metrics, f"{data.ref}: metric history "
                                       f"(run {run.run_id[:8]})", figsize=(8.0, 5.0))
        out += [spacer(), figure_image(figure, frame, max_height=380)]
    return out + pipeline_evidence(data.detail.pipeline_evidence, frame) + stated


def _computed_overall(data: CardData) -> tuple[dict[str, float], str]:
    """The overall metrics the app computed from the version's attached predictions (the
    same over every attribute), and what they were computed from."""
    analysis = data.fairness
    if analysis is None:
        return {}, ""
    for key, item in sorted(analysis.analyses.items()):
        if len(key) == 1:
            overall = item.report.overall.metrics
            values = {k: v.value for k, v in overall.items() if v.value is not None}
            return values, (f"{source_name(analysis.source)} ({analysis.row_count:,} "
                            "predictions)")
    return {}, ""


def _fairness(data: CardData, frame: float) -> list[Flowable]:
    analysis = data.fairness
    if analysis is None:
        return _empty("No fairness results attached to this version.")
    out: list[Flowable] = [para(
        f"From {analysis.row_count} predictions in {source_name(analysis.source)} "
        f"(sha256 {analysis.source_sha256[:16]}…). Rates and ratios are decimals.")]
    for key in sorted(k for k in analysis.analyses if len(k) == 1):
        item = analysis.analyses[key]
        report = item.report
        out.append(Paragraph(f"Sensitive attribute: {text(', '.join(key))}", styles().h2))
        metrics = [m for m in FAIRNESS_METRICS if m in report.overall.metrics]
        rows = [[" / ".join(g.key) + (" (reference)" if g.key == report.reference else ""),
                 str(g.count),
                 *[fairness_number(g.metrics[m].value) if m in g.metrics else "—"
                   for m in metrics]]
                for g in report.groups]
        out.append(data_table(["Group", "n", *[m.replace("_", " ") for m in metrics]], rows,
                              [0.24, 0.12, *[0.64 / len(metrics)] * len(metrics)], frame,
                              right=range(1, len(metrics) + 2)))
        summary = [(name, fairness_number(report.summary[name].value)) for name in
                   ("demographic_parity_ratio", "equalized_odds_difference")
                   if name in report.summary]
        verdicts = [[" / ".join(p.key), p.metric.replace("_", " "),
                     fairness_number(p.disparity.value),
                     verdict(p.verdict.value) if p.key != report.reference
                     else '<font color="#0072B2">reference</font>'] for p in item.parity]
        out.append(spacer(1.5))
        out.append(_verdict_table(verdicts, frame) if verdicts
                   else para("No parity verdicts for this attribute.", styles().empty))
        out.append(para("; ".join(f"{n.replace('_', ' ')} {v}" for n, v in summary),
                        styles().small))
        if "selection_rate" in report.overall.metrics:
            figure = metric_bars_figure(report, "selection_rate", item.bootstrap,
                                        figsize=(8.0, 3.4))
            out.append(KeepTogether([figure_image(figure, frame, max_height=260)]))
    return out


def _verdict_table(rows: list[list[str]], frame: float) -> Flowable:
    escaped = [[text(r[0]), text(r[1]), text(r[2]), r[3]] for r in rows]
    return data_table(["Group", "Parity metric", "Ratio to reference", "Verdict"], escaped,
                      [0.3, 0.3, 0.2, 0.2], frame, right=[2], markup=True)


def _drift(data: CardData, frame: float) -> list[Flowable]:
    results = data.drift
    if not results:
        return _empty("No drift results attached to this version.")
    columns = list(dict.fromkeys(c.column for r in results for c in r.drift.columns))
    figure = drift_heatmap_figure(results, columns, title=f"{data.ref}: drift by feature and "
                                  "window", figsize=(8.0, 0.9 + 0.35 * len(columns)))
    alerts = [[r.label, c.column, c.method, fmt(c.score), fmt(c.threshold)]
              for r in results for c in r.drift.columns if c.drifted]
    out: list[Flowable] = [figure_image(figure, frame, max_height=360), spacer()]
    if not alerts:
        return [*out, para("No drift alerts: no feature passed its threshold in any window.")]
    return [*out, Paragraph("Alerts", styles().h2),
            data_table(["Window", "Feature", "Method", "Score", "Threshold"], alerts,
                       [0.2, 0.3, 0.2, 0.15, 0.15], frame, right=[3, 4])]


def _review_title(review: Review) -> str:
    """How every section names a review: id, policy, gate and state, in the same words."""
    return (f"Review #{review.id}: policy “{review.policy.name}”, gate {review.policy.gate}, "
            f"{review.state.value}")


def _decision_summary(data: CardData, frame: float) -> list[Flowable]:
    """Page 1's answer to the reader's first question: which gate, which review, what outcome,
    how far the quorum got (each review of the version, the newest first)."""
    if not data.reviews:
        return [para("Decision: no review has evaluated this version against a gate policy.",
                     styles().empty)]
    rows = []
    for review in reversed(data.reviews):
        progress = review.progress()
        rows.append([text(review.policy.gate), f"#{review.id} {text(review.policy.name)}",
                     _state_verdict(review.state.value),
                     text(progress.describe()),
                     text(local(review.closed_at or review.opened_at))])
    return [Paragraph("Decisions", styles().h2),
            data_table(["Gate", "Review", "Outcome", "Quorum", "Closed / opened"], rows,
                       [0.14, 0.28, 0.14, 0.22, 0.22], frame, markup=True), spacer()]


def _state_verdict(state: str) -> str:
    """A review's state as a verdict word with its symbol (never colour alone)."""
    word = {"approved": "approve", "rejected": "reject"}.get(state, state)
    return verdict(word).replace(text(word), text(state))


def _gate(data: CardData, frame: float) -> list[Flowable]:
    if not data.reviews:
        return _empty("No review has evaluated this version against a gate policy.")
    out: list[Flowable] = []
    for review in reversed(data.reviews):  # the newest review first, each one named
        out += [CondPageBreak(90), Paragraph(text(_review_title(review)), styles().h2), para(
            f"Opened {local(review.opened_at)}. Evidence sha256 {review.evidence_digest}.",
            styles().small)]
        rows = []
        for check in review.evidence.get("checks", []):
            sources = check.get("sources", {}) or {}
            digest = "; ".join(f"{v[:12]}…" for v in sources.values()) or "—"
            value = check.get("value")
            shown = fmt(value) if isinstance(value, int | float) else value or "—"
            flag = beside_value(check, fmt)  # computed and declared disagree: both, flagged
            rows.append([text(check.get("label") or check["check"]["name"]),
                         text(str(shown)) + (f'<br/><font color="#B35900">{text(flag)}</font>'
                                             if flag else ""),
                         text(_threshold(check.get("threshold"))),
                         verdict(str(check.get("result"))),
                         f'<font name="DejaVuSansMono" size="7">{text(digest)}</font>'])
        out.append(data_table(["Check", "Value", "Threshold", "Result", "Evidence digest"],
                              rows, [0.3, 0.12, 0.16, 0.14, 0.28], frame, right=[1],
                              markup=True))
        out.append(spacer())
    return out


def _threshold(threshold: Any) -> str:
    if not isinstance(threshold, dict) or not threshold:
        return "—"
    parts = [f"≥ {fmt(threshold['min'])}" if threshold.get("min") is not None else "",
             f"≤ {fmt(threshold['max'])}" if threshold.get("max") is not None else ""]
    return " and ".join(p for p in parts if p) or "—"


def _approvals(data: CardData, frame: float) -> list[Flowable]:
    signed = [r for r in data.reviews if r.signatures]
    if not signed:
        return _empty("No signatures on any review of this version.")
    out: list[Flowable] = [para(
        "Each signature's manifestation (21 CFR 11.50): printed name, role, date and time with "
        "zone, and meaning, under the review it decides. The signed bytes and public keys are "
        "in the embedded manifest.json.")]
    for review in reversed(signed):
        block: list[Flowable] = [Paragraph(text(_review_title(review)), styles().h2)]
        rows = [[text(s.member), text(", ".join(s.roles)), text(local(s.signed_at)),
                 verdict(s.decision.value) + f"<br/>{text(s.meaning)}",
                 f'<font name="DejaVuSansMono" size="7">{text(grouped(s.fingerprint))}</font>']
                for s in review.signatures]
        block.append(data_table(["Printed name", "Role", "Signed at", "Meaning",
                                 "Key fingerprint"], rows, [0.16, 0.12, 0.2, 0.26, 0.26],
                                frame, markup=True))
        block += [para(f"{s.member}: “{s.comment}”", styles().small)
                  for s in review.signatures if s.comment]
        block.append(para(f"Quorum: {review.progress().describe()}.", styles().small))
        # A review's signatures, comments and quorum stay on one page: no comment or quorum
        # line is left alone on an otherwise empty last page.
        out.append(KeepTogether(block))
    return out


def _findings(data: CardData, frame: float) -> list[Flowable]:
    """The version's findings with their threads, and the terms its gates were granted
    under (a lapsed approval is printed as lapsed, never left out)."""
    as_of = data.generated_at.astimezone().date()
    out: list[Flowable] = []
    if data.findings:
        count = plural(len(data.findings), "finding")
        out += [para(f"{count} on {data.ref} or its model, as of "
                     f"{as_of.isoformat()}:"), findings_table(data.findings, frame, as_of),
                *finding_threads(data.findings, frame)]
    else:
        out += _empty("No findings raised on this version or its model.")
    conditional = [t for t in data.terms if not t.unconditional or t.lapses]
    out += [CondPageBreak(80), Paragraph("Conditions and expiry of approvals", styles().h2)]
    if conditional:
        out.append(terms_table(conditional, frame))
    elif data.terms:
        out += _empty(f"Every gate granted to {data.ref} was approved without conditions or "
                      "expiry.")
    else:
        out += _empty(f"No gate has been granted to {data.ref}.")
    return out
