"""Checking one OpenLineage event (spec 2.x) and reducing it to what the lineage graph needs.

Kept apart from :mod:`openlineage` (files, merging, graph) because validation is the part that
faces hostile input: every refusal here is an :class:`~governance_app.errors.InputError` naming
the file, the field path and its line, and what the spec expects there, so a producer's bug can
be fixed without reading our code. Only what we *interpret* is validated (the spec's required
fields, dataset identities, the ``parent`` facet); every other facet is kept verbatim as JSON,
because producers add custom facets all the time and refusing them would refuse real exports.

Timestamps: RFC 3339 ``date-time`` with a zone is what the spec asks for. Marquez (the reference
consumer) also accepts a zone-less ``eventTime``, and openlineage-python itself once wrote them
(``serde_example_*`` in its tests), so we accept one too and *assume UTC*; the reader records a
note for each such event. Fractions finer than microseconds (nanoseconds) are truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.json_paths import FieldPath, field_path, locate
from governance_app.importers.safe_io import line_col

EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
"""The spec's ``eventType`` enum; ``OTHER`` carries metadata and never changes a run's state."""

TERMINAL = frozenset({"COMPLETE", "ABORT", "FAIL"})

_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?\Z"
)


class Locator:
    """Words the location of a field of one event: ``run.runId, line 3``.

    For JSON Lines the line is the event's line. For a ``.json`` file the event sits at
    ``prefix`` (``[2]`` in a list) and the line is found in the text with
    :func:`json_paths.locate`; a missing field is placed on the line of its nearest parent.
    The text is already in memory, so locating costs nothing until an error happens.
    """

    def __init__(
        self,
        source: Path,
        *,
        line: int | None = None,
        text: str | None = None,
        prefix: FieldPath = (),
    ) -> None:
        self.source = source
        self.line = line
        self.text = text
        self.prefix = list(prefix)

    def where(self, parts: FieldPath) -> str:
        full = [*self.prefix, *parts]
        shown = field_path(full)
        if self.line is not None:
            return f"{shown}, line {self.line}"
        if self.text is not None:
            for end in range(len(full), -1, -1):
                offset = locate(self.text, full[:end])
                if offset is not None:
                    return f"{shown}, line {line_col(self.text, offset)[0]}"
        return shown

    def error(self, parts: FieldPath, problem: str, expected: str | None = None) -> InputError:
        return InputError(self.source, problem, location=self.where(parts), expected=expected)


@dataclass(slots=True)
class DatasetRef:
    """A dataset as one event names it: identity, dataset facets, per-run input/output facets."""

    namespace: str
    name: str
    facets: dict[str, Any] = field(default_factory=dict)
    io_facets: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Event:
    """One validated event, reduced to what building the graph reads.

    Attributes:
        kind: ``"run"``, ``"job"`` (JobEvent, no run) or ``"dataset"`` (DatasetEvent).
        event_type: the ``eventType``, ``""`` when absent (it is optional in the spec).
        zone_assumed: ``eventTime`` had no zone and was read as UTC.
        order: position in the input, to keep ties in time in file order.
    """

    kind: str
    time: datetime
    event_type: str
    order: int
    where: str
    zone_assumed: bool = False
    run_id: str = ""
    run_facets: dict[str, Any] = field(default_factory=dict)
    job: tuple[str, str] | None = None
    job_facets: dict[str, Any] = field(default_factory=dict)
    parent: tuple[str, str, str] | None = None  # parent run id, job namespace, job name
    inputs: list[DatasetRef] = field(default_factory=list)
    outputs: list[DatasetRef] = field(default_factory=list)
    dataset: DatasetRef | None = None


def parse_time(loc: Locator, value: Any, parts: FieldPath) -> tuple[datetime, bool]:
    """An RFC 3339 timestamp as aware UTC, and whether its zone was missing (UTC assumed)."""
    expected = "an ISO-8601 date-time such as 2026-03-01T08:00:00Z"
    if not isinstance(value, str):
        raise loc.error(parts, f"is {_json_type(value)}", expected)
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        raise loc.error(parts, f"{value!r} is not a date-time", expected)
    frac = (match["frac"] or "")[:6]  # nanoseconds: Python keeps microseconds
    zone = match["zone"] or ""
    text = f"{match['date']}T{match['time']}" + (f".{frac}" if frac else "")
    text += "+00:00" if zone in ("", "Z", "z") else zone
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise loc.error(parts, f"{value!r} is not a valid date-time ({exc})", expected) from exc
    return parsed.astimezone(UTC), not zone


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _object(loc: Locator, value: Any, parts: FieldPath, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise loc.error(parts, f"is {_json_type(value)}", f"{what} (a JSON object)")
    return value


def _text(loc: Locator, obj: dict[str, Any], parts: FieldPath, what: str) -> str:
    """The required non-empty string at ``obj[parts[-1]]``."""
    key = parts[-1]
    if key not in obj:
        raise loc.error(parts, f"required field {key!r} is missing", what)
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else _json_type(value)
        raise loc.error(parts, f"is {shown}", what)
    return value


def _facets(loc: Locator, obj: dict[str, Any], parts: FieldPath) -> dict[str, Any]:
    """A facets map kept verbatim; only its being an object is checked."""
    value = obj.get(parts[-1])
    if value is None:
        return {}
    return dict(_object(loc, value, parts, "facets by name"))


def _datasets(loc: Locator, event: dict[str, Any], key: str) -> list[DatasetRef]:
    value = event.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise loc.error([key], f"is {_json_type(value)}", "an array of datasets")
    io_key = "inputFacets" if key == "inputs" else "outputFacets"
    return [_dataset(loc, item, [key, i], io_key) for i, item in enumerate(value)]


def _dataset(loc: Locator, value: Any, parts: list[str | int], io_key: str) -> DatasetRef:
    obj = _object(loc, value, parts, "a dataset")
    return DatasetRef(
        namespace=_text(loc, obj, [*parts, "namespace"], "the dataset's namespace"),
        name=_text(loc, obj, [*parts, "name"], "the dataset's name"),
        facets=_facets(loc, obj, [*parts, "facets"]),
        io_facets=_facets(loc, obj, [*parts, io_key]) if io_key else {},
    )


def _job(loc: Locator, event: dict[str, Any]) -> tuple[tuple[str, str], dict[str, Any]]:
    if "job" not in event:
        raise loc.error(["job"], "required field 'job' is missing", "the job (namespace, name)")
    job = _object(loc, event["job"], ["job"], "the job")
    ident = (
        _text(loc, job, ["job", "namespace"], "the job's namespace"),
        _text(loc, job, ["job", "name"], "the job's name"),
    )
    return ident, _facets(loc, job, ["job", "facets"])


def _parent(loc: Locator, facets: dict[str, Any]) -> tuple[str, str, str] | None:
    """The ``parent`` run facet, which we turn into edges, so it must be well formed."""
    if "parent" not in facets:
        return None
    base = ["run", "facets", "parent"]
    facet = _object(loc, facets["parent"], base, "the ParentRunFacet")
    run = _object(loc, facet.get("run"), [*base, "run"], "the parent run ({runId})")
    job = _object(loc, facet.get("job"), [*base, "job"], "the parent job ({namespace, name})")
    return (
        _text(loc, run, [*base, "run", "runId"], "the parent run's id"),
        _text(loc, job, [*base, "job", "namespace"], "the parent job's namespace"),
        _text(loc, job, [*base, "job", "name"], "the parent job's name"),
    )


def _event_kind(event: dict[str, Any], schema_url: str) -> str:
    """RunEvent unless the event says otherwise: by its schemaURL, or by holding a ``dataset``
    and no run (2.x DatasetEvent); a JobEvent must say so, as a RunEvent that merely lost its
    ``run`` should be refused rather than silently read as a job."""
    if "run" in event:
        return "run"
    if schema_url.endswith("DatasetEvent") or ("dataset" in event and "job" not in event):
        return "dataset"
    if schema_url.endswith("JobEvent"):
        return "job"
    return "run"


def parse_event(loc: Locator, value: Any, order: int) -> Event:
    """Validate one decoded event and reduce it to an :class:`Event`.

    Raises:
        InputError: a required field is missing or of the wrong type, a timestamp does not
            parse, or a field we interpret (datasets, the parent facet) is malformed.
    """
    obj = _object(loc, value, [], "an OpenLineage event")
    if "eventTime" not in obj:
        raise loc.error(["eventTime"], "required field 'eventTime' is missing", "a date-time")
    time, zone_assumed = parse_time(loc, obj["eventTime"], ["eventTime"])
    _text(loc, obj, ["producer"], "the producer's URI")
    schema_url = _text(loc, obj, ["schemaURL"], "the OpenLineage spec URL of the event")
    event_type = obj.get("eventType") or ""
    if event_type not in ("", *EVENT_TYPES):
        raise loc.error(
            ["eventType"],
            f"{event_type!r} is not an event type",
            f"one of {', '.join(EVENT_TYPES)}",
        )
    kind = _event_kind(obj, schema_url)
    where = f"{loc.source}, {loc.where(['eventTime'])}"
    event = Event(kind, time, event_type, order, where, zone_assumed)
    if kind == "dataset":
        event.dataset = _dataset(loc, obj.get("dataset"), ["dataset"], "")
        return event
    event.job, event.job_facets = _job(loc, obj)
    event.inputs = _datasets(loc, obj, "inputs")
    event.outputs = _datasets(loc, obj, "outputs")
    if kind == "job":
        return event
    if "run" not in obj:
        raise loc.error(["run"], "required field 'run' is missing", "the run ({runId})")
    run = _object(loc, obj["run"], ["run"], "the run")
    event.run_id = _text(loc, run, ["run", "runId"], "the run's id (a UUID)")
    event.run_facets = _facets(loc, run, ["run", "facets"])
    event.parent = _parent(loc, event.run_facets)
    return event
