"""The model card's own text in the PDF: intended use, out-of-scope uses, limitations, ethical
considerations, the card's facts and markdown body, and the metrics the card states.

Kept apart from ``model_card`` (which lays out the whole document) because this part renders
foreign markdown; ``reports.markdown`` makes sure none of its syntax reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from governance_app.domain.model_card import (
    CARD_SECTIONS,
    FORMAT_WRITTEN,
    CardMetric,
    EffectiveCard,
    ModelCard,
    split_sections,
)
from governance_app.reports.document import data_table, para, spacer, styles, text
from governance_app.reports.markdown import markdown_flowables

FORMAT_NAMES = {"mct-0.0.1": "Model Card Toolkit 0.0.1", "mct-0.0.2": "Model Card Toolkit 0.0.2",
                "huggingface": "Hugging Face model card", FORMAT_WRITTEN: "written in the app"}
MISSING = {
    "intended-use": "The card does not state an intended use.",
    "out-of-scope": "The card does not state out-of-scope uses.",
    "limitations": "The card does not state limitations.",
    "ethical-considerations": "The card does not state ethical considerations.",
}


def _origin(card: ModelCard, when: Callable[[datetime | None], str]) -> str:
    if card.format == FORMAT_WRITTEN:
        return f"written by {card.recorded_by}, {when(card.recorded_at)}"
    return (f"from {card.source_name} ({FORMAT_NAMES.get(card.format, card.format)}), "
            f"imported {when(card.recorded_at)}")


def card_text_story(card: EffectiveCard | None, frame: float, *, no_card: str,
                    when: Callable[[datetime | None], str]) -> list[Flowable]:
    """The "Intended use and limitations" section; ``no_card`` is its one line when empty."""
    st = styles()
    if card is None:
        return [para(no_card, st.empty)]
    out: list[Flowable] = []
    base = card.card
    if base is not None:
        title = f"“{base.title}”, " if base.title else ""
        out.append(para(f"Card {title}{_origin(base, when)}, sha256 {base.source_sha256}. "
                        f"{len(card.history)} card record(s) stored for this version; the "
                        "newest text of each section is printed.", st.small))
    for key, title in CARD_SECTIONS.items():
        out += [CondPageBreak(48), Paragraph(text(title), st.h2)]
        if key not in card.sections:
            out.append(para(MISSING[key], st.empty))
            continue
        value, source = card.sections[key]
        out.extend(markdown_flowables(value, frame, top_level=3))
        if base is None or source.id != base.id:
            out.append(para(f"({_origin(source, when)})", st.small))
    if base is None:
        return out
    if base.details:
        out += [CondPageBreak(72), Paragraph("From the card", st.h2)]
        out.append(data_table(["Field", "Value"], list(base.details.items()), [0.22, 0.78],
                              frame))
    _, rest = split_sections(base.body)
    if rest:
        out += [CondPageBreak(72), Paragraph(f"Card text ({text(base.source_name)})", st.h2),
                *markdown_flowables(rest, frame, top_level=2)]
    return out


def _interval(metric: CardMetric, fmt: Callable[[float | None], str]) -> str:
    if metric.lower is None and metric.upper is None:
        return "—"
    return f"{fmt(metric.lower)} – {fmt(metric.upper)}"


CLAIM_TOLERANCE = 0.05
"""A stated rate further than this from the app's own computation is flagged."""
_CLAIM_NAMES = (("roc auc", "roc_auc_score"), ("roc_auc", "roc_auc_score"),
                ("auc", "roc_auc_score"), ("balanced accuracy", "balanced_accuracy_score"),
                ("accuracy", "accuracy_score"), ("precision", "precision_score"),
                ("recall", "true_positive_rate"), ("true positive rate", "true_positive_rate"),
                ("false positive rate", "false_positive_rate"),
                ("selection rate", "selection_rate"))
"""How a card names a metric the app computes from attached predictions (first match)."""


def computed_claim(name: str, computed: Mapping[str, float]) -> tuple[str, float] | None:
    """The app's own value of the metric a card names (``"ROC AUC"``, ``"precision at the
    0.5 threshold"``), or ``None`` when the app computes no such metric."""
    words = name.lower().replace("_", " ").replace("-", " ").strip()
    for prefix, key in _CLAIM_NAMES:
        spelled = prefix.replace("_", " ")
        if (words == spelled or words.startswith(spelled + " ")) and key in computed:
            return key, computed[key]
    return None


def card_metrics_story(card: EffectiveCard | None, frame: float,
                       fmt: Callable[[float | None], str],
                       computed: Mapping[str, float] | None = None,
                       computed_from: str = "") -> list[Flowable]:
    """The metrics the attached card states, as a second table labelled by its source
    (nothing when no card is attached: the section's own line already covers that).

    Args:
        computed: the overall metrics the app computed from the predictions attached to the
            version; a stated metric of the same kind is printed beside it, flagged ⚠ when
            they differ by more than :data:`CLAIM_TOLERANCE`.
        computed_from: what they were computed from, in words.
    """
    if card is None or card.card is None:
        return []
    base = card.card
    label = (f"Metrics stated by the model card ({FORMAT_NAMES.get(base.format, base.format)}, "
             f"{base.source_name})")
    out: list[Flowable] = [spacer(), CondPageBreak(90), Paragraph(text(label), styles().h2)]
    if not base.metrics:
        return [*out, para("The card states no metrics.", styles().empty)]
    computed = computed or {}
    rows = []
    flagged = 0
    for m in base.metrics:
        found = computed_claim(m.name, computed)
        here = "—"
        if found is not None:
            here = text(fmt(found[1]))
            if m.value is not None and abs(m.value - found[1]) > CLAIM_TOLERANCE:
                here += ' <font color="#B35900">⚠ differs</font>'
                flagged += 1
        rows.append((text(m.name), text(fmt(m.value) if m.value is not None else m.text),
                     text(" · ".join(p for p in (m.task, m.slice) if p) or "overall"),
                     text(_interval(m, fmt)), text(m.threshold or "—"), here))
    out.append(data_table(["Metric", "Stated", "Task / slice", "Confidence interval",
                           "Threshold", "Computed here"], rows,
                          [0.2, 0.09, 0.26, 0.14, 0.13, 0.18], frame, right=[1, 4, 5],
                          markup=True))
    note = "As stated by the card's authors."
    if computed:
        note += (f" Computed here: by this app from {computed_from}, over all its rows"
                 " (the card may state another data set or threshold).")
    if flagged:
        note += (f" ⚠ marks {flagged} stated number(s) the app computed differently (by more "
                 f"than {CLAIM_TOLERANCE:g}).")
    out.append(para(note, styles().small))
    return out
