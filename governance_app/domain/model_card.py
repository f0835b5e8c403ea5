"""Model card text attached to a model version: imported cards and text written in the app.

A card carries what numbers cannot: intended use, out-of-scope uses, limitations and ethical
considerations (Mitchell et al., "Model Cards for Model Reporting"), the card's own markdown
body, and the metrics the card itself states. Every card ever attached stays stored; the one
a report prints is assembled by :func:`effective_card` from the newest of each part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FORMAT_MCT_001 = "mct-0.0.1"
FORMAT_MCT_002 = "mct-0.0.2"
FORMAT_HUGGINGFACE = "huggingface"
FORMAT_WRITTEN = "written"
FORMATS = (FORMAT_MCT_001, FORMAT_MCT_002, FORMAT_HUGGINGFACE, FORMAT_WRITTEN)

CARD_SECTIONS: dict[str, str] = {
    "intended-use": "Intended use",
    "out-of-scope": "Out-of-scope uses",
    "limitations": "Limitations",
    "ethical-considerations": "Ethical considerations",
}
"""Section key → the title a report prints; the keys are what ``card set --section`` takes."""

_HEADING_SECTIONS: tuple[tuple[str, str], ...] = (
    # Checked in order against a heading's lower-cased text; the first match wins.
    ("out-of-scope", r"out[- ]of[- ]scope|misuse|not intended"),
    ("intended-use", r"intended use|direct use|downstream use|^uses?$|use cases?"),
    ("ethical-considerations", r"ethic"),
    ("limitations", r"limitation|bias|risk"),
)


def section_for_heading(heading: str) -> str | None:
    """The card section a markdown heading announces (``"## Out-of-Scope Use"`` →
    ``out-of-scope``), or ``None``: Hugging Face cards name these sections freely."""
    lowered = heading.strip().lower()
    for key, pattern in _HEADING_SECTIONS:
        if re.search(pattern, lowered):
            return key
    return None


@dataclass(frozen=True, slots=True)
class CardMetric:
    """A metric the card states about itself (not measured by the workspace).

    Attributes:
        name: what is measured (``accuracy``; MCT ``type``, model-index ``type``/``name``).
        value: the number when the card gives one that parses, else ``None``.
        text: the value as the card wrote it (MCT 0.0.2 keeps numbers as strings).
        slice: the subset it was measured on (MCT ``slice``; model-index dataset and split).
        task: the model-index task, when given.
        lower, upper: the confidence interval, when the card gives one.
        threshold: the decision threshold the value was measured at, when given.
    """

    name: str
    value: float | None
    text: str
    slice: str = ""
    task: str = ""
    lower: float | None = None
    upper: float | None = None
    threshold: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "text": self.text, "slice": self.slice,
                "task": self.task, "lower": self.lower, "upper": self.upper,
                "threshold": self.threshold}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CardMetric:
        return cls(name=raw["name"], value=raw.get("value"), text=raw.get("text", ""),
                   slice=raw.get("slice", ""), task=raw.get("task", ""),
                   lower=raw.get("lower"), upper=raw.get("upper"),
                   threshold=raw.get("threshold", ""))


@dataclass(frozen=True, slots=True)
class ModelCardSnapshot:
    """One card file read completely, not yet stored (the import service stores it).

    Attributes:
        model: ``NAME:VERSION`` the card is attached to.
        format: one of :data:`FORMATS` (never ``written`` for an import).
        title: the card's own name for the model.
        sections: section key (:data:`CARD_SECTIONS`) → markdown text.
        details: plain-text facts by label (overview, owners, licences, references,
            citations, model parameters, datasets), in the order a report prints them.
        body: the card's markdown body as written (Hugging Face), ``""`` for MCT.
        metrics: the metrics the card states.
    """

    kind: str
    source: str
    source_sha256: str
    model: str
    format: str
    source_name: str
    title: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    body: str = ""
    metrics: tuple[CardMetric, ...] = ()

    def counts(self) -> dict[str, int]:
        return {"card_sections": len(self.sections), "card_metrics": len(self.metrics)}


@dataclass(frozen=True, slots=True)
class ModelCard:
    """One stored card (or one written section) of a version, as a report reads it."""

    id: int
    model: str
    version: int
    format: str
    source_name: str
    source_sha256: str
    title: str
    sections: dict[str, str]
    details: dict[str, str]
    body: str
    metrics: tuple[CardMetric, ...]
    recorded_at: datetime
    recorded_by: str

    @property
    def ref(self) -> str:
        return f"{self.model}:{self.version}"


@dataclass(frozen=True, slots=True)
class EffectiveCard:
    """What a report prints: the newest imported card with the newest text of each section.

    Attributes:
        card: the newest imported card (``None`` when only written text exists).
        sections: section key → (markdown text, the stored card it came from).
        history: every stored card of the version, oldest first.
    """

    card: ModelCard | None
    sections: dict[str, tuple[str, ModelCard]]
    history: tuple[ModelCard, ...]

    @property
    def sources(self) -> list[ModelCard]:
        """The stored cards whose content is printed (for the manifest's evidence)."""
        used = ([self.card] if self.card else []) + [c for _, c in self.sections.values()]
        return list({c.id: c for c in used}.values())


def effective_card(history: list[ModelCard]) -> EffectiveCard | None:
    """Assemble what prints from every stored card of one version (any order).

    A newer import replaces the body, details and metrics; each section is the newest text
    given for it, imported or written. ``None`` when nothing is stored.
    """
    if not history:
        return None
    ordered = sorted(history, key=lambda c: c.id)
    imported = [c for c in ordered if c.format != FORMAT_WRITTEN]
    sections: dict[str, tuple[str, ModelCard]] = {}
    for card in ordered:
        for key, value in card.sections.items():
            if value.strip():
                sections[key] = (value, card)
    return EffectiveCard(imported[-1] if imported else None, sections, tuple(ordered))


def split_sections(markdown: str) -> tuple[dict[str, str], str]:
    """Take the intended-use, out-of-scope, limitations and ethics sections out of a card body.

    Returns the sections (key → markdown under the heading, sub-headings included) and the
    body without them, so a report prints each once. Headings inside fenced code are ignored.
    """
    sections: dict[str, list[str]] = {}
    rest: list[str] = []
    stack: list[tuple[str, int]] = []  # the sections open at this point, innermost last
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.lstrip()
        match = None
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        else:
            match = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if match:
            level = len(match.group(1))
            while stack and stack[-1][1] >= level:
                stack.pop()
            key = section_for_heading(match.group(2))
            if key is not None and key not in sections:
                stack.append((key, level))
                sections[key] = []
                continue
        if stack:
            sections[stack[-1][0]].append(line)
        else:
            rest.append(line)
    texts = {k: "\n".join(v).strip() for k, v in sections.items()}
    return ({k: v for k, v in texts.items() if v and not _placeholder(v)},
            "\n".join(rest).strip())


def _placeholder(text: str) -> bool:
    """Hugging Face's template leaves "[More Information Needed]" where nothing was written."""
    return not re.sub(r"\[More Information Needed\]|#+[^\n]*|\s", "", text)
