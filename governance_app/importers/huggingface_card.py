"""Hugging Face model cards: a README.md with YAML front matter and a markdown body.

The front matter (between ``---`` lines) is read with ``safe_load`` semantics; its
``model-index`` results (task, dataset, metrics) become the card's metrics, checked as the Hub
checks them (a result needs a task type, a dataset type and name, and metrics with type and
value). The body is kept whole as markdown; its intended-use, out-of-scope, limitations and
ethics sections are recognised by their headings.

Decisions, documented in docs/user-guide.md: a markdown file without front matter is read as a
card body (``--model`` says whose); a *dataset* card, or an unrendered card template
(``{{card_data}}``), is refused with the reason, since neither describes a model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from governance_app.domain.model_card import (
    FORMAT_HUGGINGFACE,
    CardMetric,
    ModelCardSnapshot,
    split_sections,
)
from governance_app.errors import InputError
from governance_app.importers.model_card_common import as_float, card_model_ref, plain
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import MAX_YAML_BYTES, parse_yaml, read_text, sha256_of_path

KIND = "huggingface-card"
SUFFIXES = (".md", ".markdown")
DATASET_KEYS = frozenset(("task_categories", "task_ids", "size_categories",
                          "annotations_creators", "language_creators", "multilinguality",
                          "source_datasets", "dataset_info", "configs", "pretty_name"))
"""Front-matter keys only dataset cards carry (huggingface_hub ``DatasetCardData``)."""
_TEMPLATE = re.compile(r"\s*\{\{?\s*[A-Za-z_]\w*\s*\}\}?\s*$")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)(?:\n)?^---[ \t]*$\n?", re.S | re.M)

Path_ = list[str | int]


def detect(path: Path) -> bool:
    """Any markdown file: no other importer reads markdown, and reading one needs ``--model``."""
    return path.is_file() and path.suffix.lower() in SUFFIXES


def _where(path_parts: Path_) -> str:
    out = ""
    for part in path_parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_line(front: str, parts: Path_) -> int | None:
    """Line (1-based, within the front matter) of the YAML node at ``parts``, if found."""
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line if node is not None else None
    for part in parts:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(
                node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line
    return None if line is None else line + 1


class _Card:
    """One card file's text split into front matter and body, and its error helper."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        match = _FRONT.match(self.text)
        self.front = match.group(1) if match else None
        self.body = self.text[match.end():] if match else self.text

    def error(self, parts: Path_, problem: str, expected: str | None = None) -> InputError:
        line = _node_line(self.front or "", parts)
        where = _where(parts) or "front matter"
        location = f"{where}, line {line + 1}" if line is not None else where
        return InputError(self.path, problem, location=location, expected=expected)


def _refuse_template(card: _Card) -> None:
    """Only the front matter is checked: a card's body may well show Jinja in its examples."""
    for number, line in enumerate((card.front or "").split("\n"), start=2):
        if _TEMPLATE.match(line):
            raise InputError(card.path, "is an unrendered card template (a {{ … }} placeholder)",
                             location=f"line {number}",
                             expected="a model card with its placeholders filled in")


def _metadata(card: _Card) -> dict[str, Any]:
    if card.front is None:
        if card.text.startswith("---"):
            raise InputError(card.path, "front matter opened with --- is never closed",
                             location="line 1", expected="a closing --- line")
        return {}
    try:
        data = parse_yaml(card.path, card.front)
    except InputError as exc:  # the front matter starts on the file's line 2
        location = exc.location
        found = re.match(r"line (\d+)(.*)", location or "")
        if found:
            location = f"line {int(found.group(1)) + 1}{found.group(2)} (front matter)"
        raise InputError(card.path, exc.problem, location=location,
                         expected="valid YAML front matter") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(card.path, f"front matter is a YAML {type(data).__name__}",
                         location="line 2 (front matter)",
                         expected="a mapping of card metadata (license, tags, model-index…)")
    return data


def _result_metrics(card: _Card, index: Any) -> tuple[CardMetric, ...]:
    """``model-index`` results as card metrics; raises naming the field that is missing."""
    if not isinstance(index, list):
        raise card.error(["model-index"], "model-index is not a list",
                         expected="a list of {name, results}")
    out = []
    for i, entry in enumerate(index):
        base: Path_ = ["model-index", i]
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            raise card.error(base, "a model-index entry has no results list",
                             expected="name and results: [{task, dataset, metrics}]")
        for j, result in enumerate(results):
            at: Path_ = [*base, "results", j]
            if not isinstance(result, dict):
                raise card.error(at, "a result is not a mapping", expected="task, dataset, metrics")
            task, dataset, metrics = (result.get("task"), result.get("dataset"),
                                      result.get("metrics"))
            if not isinstance(task, dict) or not plain(task.get("type")):
                raise card.error([*at, "task"] if task else at, "result has no task type",
                                 expected="task: {type: …}")
            if not isinstance(dataset, dict):
                raise card.error(at, "result has no dataset",
                                 expected="dataset: {type: …, name: …}")
            for key in ("type", "name"):
                if not plain(dataset.get(key)):
                    raise card.error([*at, "dataset"], f"dataset has no {key}",
                                     expected=f"dataset.{key}")
            if not isinstance(metrics, list) or not metrics:
                raise card.error(at, "result has no metrics", expected="metrics: [{type, value}]")
            slice_ = " ".join(plain(dataset.get(k)) for k in ("name", "config", "split")
                              if plain(dataset.get(k)))
            for k, metric in enumerate(metrics):
                where: Path_ = [*at, "metrics", k]
                if not isinstance(metric, dict) or not plain(metric.get("type")):
                    raise card.error(where, "metric has no type", expected="type: accuracy, …")
                if metric.get("value") is None:
                    raise card.error(where, "metric has no value", expected="value: a number")
                out.append(CardMetric(
                    name=plain(metric.get("name")) or plain(metric["type"]),
                    value=as_float(metric["value"]), text=plain(metric["value"]), slice=slice_,
                    task=plain(task.get("name")) or plain(task["type"])))
    return tuple(out)


def _details(meta: dict[str, Any]) -> dict[str, str]:
    def joined(key: str) -> str:
        value = meta.get(key)
        if isinstance(value, list):
            return ", ".join(plain(v) for v in value if not isinstance(v, dict | list))
        return "" if isinstance(value, dict) else plain(value)

    rows = {"Licence": joined("license"), "Language": joined("language"),
            "Library": joined("library_name"), "Base model": joined("base_model"),
            "Pipeline": joined("pipeline_tag"), "Datasets": joined("datasets"),
            "Tags": joined("tags"), "Metrics named": joined("metrics")}
    return {k: v for k, v in rows.items() if v}


def _title(meta: dict[str, Any], body: str) -> str:
    index = meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict) and index[0].get("name"):
        return plain(index[0]["name"])
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", _outside_code(body), re.M)
    return heading.group(1) if heading else ""


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _outside_code(body: str) -> str:
    """The body with fenced code blocks blanked: a ``# comment`` in a shell or Python example
    is not a heading (CommonMark: a fence closes with the same character, at least as long)."""
    out: list[str] = []
    fence = ""
    for line in body.splitlines():
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not line.strip()[len(match.group(1)):].strip():
                fence = ""
            out.append("")
        elif match:
            fence = match.group(1)
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


@importer(KIND, "Hugging Face model card: README.md with YAML front matter (needs --model)",
          detect)
def read_huggingface_card(path: Path, ctx: ImportContext) -> ModelCardSnapshot:
    """Read one model card into a snapshot for ``--model NAME:VERSION``.

    Raises:
        InputError: no ``--model``; front matter that is not YAML or not a mapping (names the
            line); a ``model-index`` result missing its task, dataset or metric fields (names
            the field and line); a dataset card; an unrendered template; an empty file.
    """
    model = card_model_ref(path, ctx.options.model)
    ctx.report(0, 2, f"reading {path.name}")
    card = _Card(path, read_text(path, limit=MAX_YAML_BYTES))
    _refuse_template(card)
    meta = _metadata(card)
    if "model-index" not in meta and DATASET_KEYS & meta.keys():
        keys = ", ".join(sorted(DATASET_KEYS & meta.keys()))
        raise InputError(path, f"is a Hugging Face dataset card (front matter has {keys})",
                         location="line 2 (front matter)",
                         expected="a model card; describe datasets through lineage instead")
    metrics = _result_metrics(card, meta["model-index"]) if "model-index" in meta else ()
    body = card.body.strip()
    if not body and not meta:
        raise InputError(path, "is empty", expected="a model card in markdown")
    sections, _ = split_sections(body)
    ctx.report(2, 2, f"read {path.name}")
    return ModelCardSnapshot(
        kind=KIND, source=str(path), source_sha256=sha256_of_path(path), model=model,
        format=FORMAT_HUGGINGFACE, source_name=path.name, title=_title(meta, body),
        sections=sections, details=_details(meta), body=body, metrics=metrics)
