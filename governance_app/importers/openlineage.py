"""OpenLineage events (spec 2.x) read into a :class:`~governance_app.domain.lineage.LineageGraph`.

Review boards ask "what data trained this version?"; OpenLineage is how schedulers and
notebooks already report what they read and wrote, so we read its events as they are written:

* a ``.json`` file holding one event or a list of them (a ``.json`` file of several lines of
  one event each, as openlineage-python's ``FileTransport`` appends, is read as JSON Lines);
* a ``.jsonl`` / ``.ndjson`` file, one event per line;
* a folder of such files, read in sorted path order, never following a link out of it.

Events of one run (START, RUNNING, COMPLETE/FAIL/ABORT) merge into one run node: its status is
the ``eventType`` of the latest event by ``eventTime`` (on a tie a terminal state wins; ``OTHER``
and missing types never change it), ``started_at`` the earliest START (or of an event with no
``eventType`` at all; unknown, ``None``, for a run seen only through RUNNING, COMPLETE, FAIL or
ABORT) and ``ended_at`` the latest terminal event. Facets merge with later events winning per facet.

Graph conventions (see :mod:`governance_app.domain.lineage`): inputs and outputs are edges of
the RUN that read or wrote them, ``dataset → run`` (input) and ``run → dataset`` (output), so
"what data trained this version" follows one run and not every run its job ever had; the job
is linked to each of its runs by ``job → run`` (instance, navigation only). A JobEvent has no
run, so its datasets attach to the job (``dataset → job``, ``job → dataset``). The parent facet
gives ``parent run → run`` (parent) and ``parent job → parent run`` (instance).
Datasets go through :func:`canonical_node_id`, so ``mlflow://registry`` + ``models/<m>/<v>`` is
the model version node of the MLflow import. Dataset facets (``schema``, ``columnLineage``, any
custom one) sit on the dataset node; job facets (``sql``...) on the job node; run facets on the
run node, plus the per-run ``inputFacets``/``outputFacets`` of each dataset under those two keys,
by dataset node id, since they describe one run's use of a dataset, not the dataset.

Nothing is returned unless the whole input is valid: one bad event refuses the import.

Registered with ``@importer`` (kind ``openlineage``) by :mod:`openlineage_import`, which
wraps the result in a ``LineageSnapshot`` for the lineage store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from governance_app.domain.lineage import (
    DEFAULT_MODEL_RULE,
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    ModelIdentityRule,
    NodeKind,
    canonical_node_id,
    parse_node_id,
)
from governance_app.errors import InputError
from governance_app.importers.openlineage_events import (
    TERMINAL,
    DatasetRef,
    Event,
    Locator,
    parse_event,
)
from governance_app.importers.registry import ImportContext
from governance_app.importers.safe_io import iter_json_lines, parse_json, read_text, sha256_of_path

SUFFIXES = (".json", ".jsonl", ".ndjson")
_LINES_SUFFIXES = (".jsonl", ".ndjson")
_CANCEL_EVERY = 500
_RANK = {"START": 0, "RUNNING": 1, "COMPLETE": 2, "FAIL": 2, "ABORT": 2}
"""Tie-break for events at the same instant: a terminal state is the run's last word."""


@dataclass(frozen=True, slots=True)
class OpenLineageImport:
    """A read OpenLineage source.

    Attributes:
        graph: the lineage graph.
        events: events read.
        runs: runs reported by events (parents named only by a facet are not counted).
        files: files read.
        source_sha256: :func:`safe_io.sha256_of_path` of the input, to record provenance.
        notes: things accepted with an assumption, e.g. a zone-less ``eventTime`` read as UTC.
    """

    graph: LineageGraph
    events: int
    runs: int
    files: int
    source_sha256: str
    notes: tuple[str, ...] = ()


def read_openlineage(path: Path, ctx: ImportContext | None = None) -> LineageGraph:
    """The lineage graph of an OpenLineage file or folder; see :func:`load_openlineage`."""
    return load_openlineage(path, ctx).graph


def load_openlineage(
    path: Path,
    ctx: ImportContext | None = None,
    rule: ModelIdentityRule | None = DEFAULT_MODEL_RULE,
) -> OpenLineageImport:
    """Read every event under ``path`` and merge them into one graph.

    Raises:
        InputError: the path is missing or holds no events, or an event is invalid (the
            message names the file, the field and its line, and what was expected).
        ImportCancelled: ``ctx`` reported a cancel; nothing is returned.
    """
    ctx = ctx or ImportContext()
    files = _event_files(path)
    events: list[Event] = []
    for done, file in enumerate(files):
        ctx.check_cancelled()
        ctx.report(done, len(files), f"reading {file.name}")
        for event in _read_file(file, path if path.is_dir() else None, len(events)):
            events.append(event)
            if len(events) % _CANCEL_EVERY == 0:
                ctx.check_cancelled()
    if not events:
        raise InputError(path, "holds no OpenLineage events", expected="at least one event")
    ctx.check_cancelled()
    ctx.report(len(files), len(files), f"merging {len(events)} events")
    graph, runs = _build(events, rule)
    notes = tuple(
        f"{e.where}: eventTime has no time zone; read as UTC" for e in events if e.zone_assumed
    )
    return OpenLineageImport(graph, len(events), runs, len(files), sha256_of_path(path), notes)


def _event_files(path: Path) -> list[Path]:
    """The files to read: ``path`` itself, or the event files under a folder, sorted."""
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise InputError(path, f"has suffix {path.suffix!r}", expected=_files_expected())
        return [path]
    if not path.is_dir():
        raise InputError(path, "does not exist", expected=_files_expected())
    found: list[Path] = []
    for folder, dirs, names in os.walk(path, followlinks=False):
        dirs.sort()
        found.extend(Path(folder, n) for n in names if Path(n).suffix.lower() in SUFFIXES)
    return sorted(found, key=lambda p: p.relative_to(path).parts)


def _files_expected() -> str:
    return "a .json, .jsonl or .ndjson file of OpenLineage events, or a folder of them"


def _read_file(file: Path, root: Path | None, start: int) -> Iterator[Event]:
    """Validated events of one file; ``root`` confines reads (and link targets) to a folder."""
    text = read_text(file, root=root)
    if file.suffix.lower() in _LINES_SUFFIXES:
        yield from _lines(file, text, start)
        return
    try:
        value = parse_json(file, text)
    except InputError as exc:
        if not exc.problem.startswith("Extra data"):
            raise
        yield from _lines(file, text, start)  # several JSON documents: FileTransport's append
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield parse_event(Locator(file, text=text, prefix=[i]), item, start + i)
    else:
        yield parse_event(Locator(file, text=text), value, start)


def _lines(file: Path, text: str, start: int) -> Iterator[Event]:
    for i, (number, value) in enumerate(iter_json_lines(file, text)):
        yield parse_event(Locator(file, line=number), value, start + i)


@dataclass(slots=True)
class _RunTimes:
    started: datetime | None = None
    untyped: datetime | None = None
    ended: datetime | None = None


def _build(events: list[Event], rule: ModelIdentityRule | None) -> tuple[LineageGraph, int]:
    """Merge events in time order, so later facets and states win as the spec intends."""
    graph = LineageGraph()
    times: dict[str, _RunTimes] = {}
    events = sorted(events, key=lambda e: (e.time, _RANK.get(e.event_type, 1), e.order))
    for event in events:
        if event.kind == "dataset" and event.dataset is not None:
            _dataset_node(graph, event.dataset, rule)
            continue
        assert event.job is not None  # parse_event guarantees a job for run and job events
        job_id = _job_node(graph, event.job, event.job_facets)
        owner = job_id
        if event.kind == "run":
            owner = _run_node(graph, event, times)
            graph.add_edge(LineageEdge(job_id, owner, EdgeKind.INSTANCE.value))
            if event.parent is not None:
                _parent_nodes(graph, event.parent, owner)
        for ref in event.inputs:
            dataset_id = _dataset_node(graph, ref, rule)
            graph.add_edge(LineageEdge(dataset_id, owner, EdgeKind.INPUT.value))
            _io_facets(graph, owner, "inputFacets", dataset_id, ref.io_facets)
        for ref in event.outputs:
            dataset_id = _dataset_node(graph, ref, rule)
            graph.add_edge(LineageEdge(owner, dataset_id, EdgeKind.OUTPUT.value))
            _io_facets(graph, owner, "outputFacets", dataset_id, ref.io_facets)
    for run_id, run_times in times.items():
        node = graph.nodes[run_id]
        # Only a START event says when a run began: a run seen through its COMPLETE or FAIL
        # alone has an unknown start, not one equal to its end. The spec's minimal event (no
        # eventType at all) gives the only time there is.
        node.started_at = run_times.started or run_times.untyped
        node.ended_at = run_times.ended
    return graph, len(times)


def _job_node(graph: LineageGraph, job: tuple[str, str], facets: dict[str, Any]) -> str:
    namespace, name = job
    node_id = canonical_node_id(namespace, name, NodeKind.JOB)
    graph.add_node(LineageNode(node_id, NodeKind.JOB, name, namespace, facets=dict(facets)))
    return node_id


def _run_node(graph: LineageGraph, event: Event, times: dict[str, _RunTimes]) -> str:
    assert event.job is not None
    node_id = canonical_node_id("", event.run_id, NodeKind.RUN)
    status = event.event_type if event.event_type in _RANK else ""
    graph.add_node(
        LineageNode(
            node_id, NodeKind.RUN, event.run_id, event.job[0], status, dict(event.run_facets)
        )
    )
    seen = times.setdefault(node_id, _RunTimes())
    if event.event_type == "START" and seen.started is None:
        seen.started = event.time
    if not event.event_type and seen.untyped is None:
        seen.untyped = event.time
    if event.event_type in TERMINAL:
        seen.ended = event.time
    return node_id


def _parent_nodes(graph: LineageGraph, parent: tuple[str, str, str], child_id: str) -> None:
    run_id, namespace, name = parent
    parent_run = canonical_node_id("", run_id, NodeKind.RUN)
    parent_job = _job_node(graph, (namespace, name), {})
    graph.add_node(LineageNode(parent_run, NodeKind.RUN, run_id, namespace))
    graph.add_edge(LineageEdge(parent_job, parent_run, EdgeKind.INSTANCE.value))
    graph.add_edge(LineageEdge(parent_run, child_id, EdgeKind.PARENT.value))


def _dataset_node(graph: LineageGraph, ref: DatasetRef, rule: ModelIdentityRule | None) -> str:
    node_id = canonical_node_id(ref.namespace, ref.name, NodeKind.DATASET, rule)
    kind, rest = parse_node_id(node_id)
    if kind is NodeKind.MODEL_VERSION:  # named as the MLflow import names the version
        node = LineageNode(node_id, kind, rest, "", facets=dict(ref.facets))
    else:
        node = LineageNode(node_id, kind, ref.name, ref.namespace, facets=dict(ref.facets))
    graph.add_node(node)
    return node_id


def _io_facets(
    graph: LineageGraph, owner: str, key: str, dataset_id: str, facets: dict[str, Any]
) -> None:
    if not facets:
        return
    held = graph.nodes[owner].facets.setdefault(key, {})
    if isinstance(held, dict):  # else a custom facet already owns the key: leave it alone
        held.setdefault(dataset_id, {}).update(facets)
