"""Model Card Toolkit cards (``model_card.json``, schemas 0.0.1 and 0.0.2, and MCT 2.x's binary
``model_card.proto``) as card text of a version.

The file is validated against the toolkit's own schema (``resources/schemas``, Apache-2.0,
google/model-card-toolkit) for its ``schema_version`` (or, when it names none, the one it
fits), so an error names the JSON path and line. Graphics (base64 images) are not kept: a
report cannot verify what they show, and they are most of the file's size.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from governance_app.domain.model_card import (
    FORMAT_MCT_001,
    FORMAT_MCT_002,
    CardMetric,
    ModelCardSnapshot,
)
from governance_app.errors import InputError
from governance_app.importers.json_paths import Places
from governance_app.importers.mct_proto import decode_card, looks_like_card
from governance_app.importers.model_card_common import (
    as_float,
    bundled_schema,
    card_model_ref,
    plain,
)
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import read_bytes, read_json, sha256_of_path

PROTO_SUFFIXES = (".proto", ".pb", ".binpb")
"""MCT 2.x writes ``data/model_card.proto``: the binary message, despite the suffix."""
MAX_PROTO_BYTES = 64 * 1024 * 1024

KIND = "model-card-toolkit"
SNIFF_BYTES = 64 * 1024
SCHEMAS = {"0.0.1": FORMAT_MCT_001, "0.0.2": FORMAT_MCT_002}
MAX_ERRORS = 200


def detect(path: Path) -> bool:
    """A ``.json`` file whose first 64 KiB hold MCT's ``"model_details"`` object, or a binary
    ``model_card.proto`` that decodes as a ModelCard with a model name."""
    if path.is_file() and path.suffix.lower() in PROTO_SUFFIXES:
        try:
            return path.stat().st_size <= MAX_PROTO_BYTES and looks_like_card(path.read_bytes())
        except OSError:
            return False
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return '"model_details"' in head


def _validator(version: str) -> Draft7Validator:
    return Draft7Validator(bundled_schema(f"model-card-toolkit-{version}.schema.json"))


def _errors(version: str, doc: Any) -> list[ValidationError]:
    return list(itertools.islice(_validator(version).iter_errors(doc), MAX_ERRORS))


def _schema_version(path: Path, places: Places, doc: dict[str, Any]) -> str:
    """The schema the card is checked against; raises for the first error against it."""
    declared = doc.get("schema_version")
    if declared is not None and declared not in SCHEMAS:
        raise places.error(["schema_version"], f"unknown schema version {declared!r}",
                           expected="0.0.1 or 0.0.2")
    candidates = [declared] if declared else ["0.0.2", "0.0.1"]
    found = {v: _errors(v, doc) for v in candidates}
    for version, errors in found.items():
        if not errors:
            return version
    version = min(found, key=lambda v: len(found[v]))
    error = best_match(found[version])
    parts = list(error.absolute_path)
    if error.validator == "required":
        missing = next((f for f in error.validator_value if f not in error.instance), "?")
        problem = f"required field {missing!r} is missing"
    else:
        problem = error.message if len(error.message) < 160 else error.message[:159] + "…"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    raise places.error(parts, f"{problem} (Model Card Toolkit schema {version})",
                       expected=description)


def _texts(items: Any, key: str = "description") -> list[str]:
    """A list of strings (0.0.1) or of ``{description: …}`` objects (0.0.2) as strings."""
    out = []
    for item in items or []:
        value = item.get(key) if isinstance(item, dict) else item
        if plain(value):
            out.append(plain(value))
    return out


def _bullets(lines: list[str]) -> str:
    """Markdown bullet list, each item's own line breaks kept inside the item."""
    return "\n".join("- " + line.replace("\n", "\n  ") for line in lines)


def _sections(considerations: dict[str, Any]) -> dict[str, str]:
    sections: dict[str, str] = {}
    uses = _texts(considerations.get("use_cases"))
    users = _texts(considerations.get("users"))
    intended = []
    if uses:
        intended.append(_bullets(uses))
    if users:
        intended.append("**Intended users:**\n\n" + _bullets(users))
    if intended:
        sections["intended-use"] = "\n\n".join(intended)
    limits = _texts(considerations.get("limitations"))
    tradeoffs = _texts(considerations.get("tradeoffs"))
    parts = [_bullets(limits)] if limits else []
    if tradeoffs:
        parts.append("**Trade-offs:**\n\n" + _bullets(tradeoffs))
    if parts:
        sections["limitations"] = "\n\n".join(parts)
    risks = []
    for risk in considerations.get("ethical_considerations") or []:
        name = plain(risk.get("name")) if isinstance(risk, dict) else plain(risk)
        mitigation = plain(risk.get("mitigation_strategy")) if isinstance(risk, dict) else ""
        line = f"**Risk:** {name}" if name else ""
        if mitigation:  # a backslash at the end of a line is a markdown line break
            line += ("\\\n" if line else "") + f"**Mitigation:** {mitigation}"
        if line:
            risks.append(line)
    if risks:
        sections["ethical-considerations"] = _bullets(risks)
    return sections


def _join(values: list[str]) -> str:
    return "; ".join(v for v in values if v)


def _details(doc: dict[str, Any]) -> dict[str, str]:
    md = doc.get("model_details") or {}
    version = md.get("version") or {}
    owners = [f"{plain(o.get('name'))} <{plain(o.get('contact'))}>" if o.get("contact")
              else plain(o.get("name")) for o in md.get("owners") or [] if isinstance(o, dict)]
    licenses = [plain(lic.get("identifier") or lic.get("custom_text"))
                if isinstance(lic, dict) else plain(lic) for lic in md.get("licenses") or []]
    if md.get("license"):  # 0.0.1
        licenses.append(plain(md["license"]))
    citations = _texts(md.get("citations"), "citation")
    single = md.get("citation")  # 0.0.1 string; some 0.0.2 files keep one object
    if single:
        citations.append(plain(single.get("citation") if isinstance(single, dict) else single))
    params = doc.get("model_parameters") or {}
    data = params.get("data") or []
    if isinstance(data, dict):  # 0.0.1: {"train": {...}, "eval": {...}}
        data = [{"name": role, **(value or {})} for role, value in data.items()]
    datasets = [_join([plain(d.get("name")), plain(d.get("description")), plain(d.get("link"))])
                for d in data if isinstance(d, dict)]
    sensitive = [f"{plain(d.get('name')) or 'dataset'}: {', '.join(fields)}"
                 for d in data if isinstance(d, dict)
                 for fields in [_sensitive_fields(d.get("sensitive"))] if fields]
    formats = [f"input: {plain(params['input_format'])}" if params.get("input_format") else "",
               f"output: {plain(params['output_format'])}" if params.get("output_format")
               else ""]
    rows = {
        "Overview": plain(md.get("overview")),
        "Card version": _join([plain(version.get("name")), plain(version.get("date")),
                               plain(version.get("diff"))]),
        "Owners": _join(owners),
        "Licences": _join(licenses),
        "References": _join(_texts(md.get("references"), "reference")),
        "Citations": _join(citations),
        "Documentation": plain(md.get("documentation")),
        "Architecture": plain(params.get("model_architecture")),
        "Input and output": _join(formats),
        "Datasets": _join(datasets),
        "Sensitive data": _join(sensitive),
    }
    return {k: v for k, v in rows.items() if v}


def _sensitive_fields(value: Any) -> list[str]:
    """MCT's ``sensitive``: ``{"sensitive_data": [..]}`` (0.0.2) or a list/string (0.0.1)."""
    if isinstance(value, dict):
        value = value.get("sensitive_data")
    if isinstance(value, str):
        value = [value]
    return [plain(v) for v in value or [] if plain(v)]


def _metrics(doc: dict[str, Any]) -> tuple[CardMetric, ...]:
    out = []
    quantitative = doc.get("quantitative_analysis") or {}
    for raw in quantitative.get("performance_metrics") or []:
        interval = raw.get("confidence_interval") or {}
        out.append(CardMetric(
            name=plain(raw.get("type")) or "metric", value=as_float(raw.get("value")),
            text=plain(raw.get("value")), slice=plain(raw.get("slice")),
            lower=as_float(interval.get("lower_bound")),
            upper=as_float(interval.get("upper_bound")),
            threshold=plain(raw.get("threshold"))))
    return tuple(out)


@importer(KIND, "Model Card Toolkit model_card.json (schema 0.0.1 or 0.0.2) or MCT 2.x "
          "model_card.proto (needs --model)", detect)
def read_model_card_toolkit(path: Path, ctx: ImportContext) -> ModelCardSnapshot:
    """Read and validate one MCT card into a snapshot for ``--model NAME:VERSION``.

    Raises:
        InputError: no ``--model``; the file is not JSON (names the line); it does not fit
            its schema (names the JSON path and line, and the schema version).
    """
    model = card_model_ref(path, ctx.options.model)
    if path.is_dir():
        raise InputError(path, "is a folder", expected="one model_card.json file")
    ctx.report(0, 2, f"reading {path.name}")
    binary = path.suffix.lower() in PROTO_SUFFIXES
    doc = (decode_card(path, read_bytes(path, limit=MAX_PROTO_BYTES)) if binary
           else read_json(path))
    places = Places(path)
    if not isinstance(doc, dict) or "model_details" not in doc:
        raise places.error([], "is not a Model Card Toolkit card",
                           expected="a JSON object with model_details")
    version = _schema_version(path, places, doc)
    ctx.check_cancelled()
    details = doc.get("model_details") or {}
    snapshot = ModelCardSnapshot(
        kind=KIND, source=str(path), source_sha256=sha256_of_path(path), model=model,
        format=SCHEMAS[version], source_name=path.name, title=plain(details.get("name")),
        sections=_sections(doc.get("considerations") or {}),
        details=_details(doc) | ({"Source format": "binary model_card.proto (MCT 2.x)"}
                                 if binary else {}),
        metrics=_metrics(doc))
    ctx.report(2, 2, f"read {path.name} (Model Card Toolkit {version})")
    return snapshot
