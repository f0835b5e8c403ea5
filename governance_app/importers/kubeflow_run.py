"""Registers the Kubeflow Pipelines run reader (kind ``kubeflow-run``): v2beta1 Run JSON.

Reads one ``Run`` or a ``ListRuns`` answer (``{"runs": [...]}``) as the KFP API server writes
them: snake_case, empty fields omitted (a task that never ran has no ``state``: it stays
without status, marked ``never_ran``), int64 values as strings (``execution_id: "2"``).

Each run is ``run:<run id>`` (state, times, parameters, error); each task
``task:<run id>/<execution id>`` (or ``…/<task id>`` when it has no execution), so an ML
Metadata import of the same run joins the same nodes; ``parent`` edges go from the run (or
the task's ``parent_task_id``) to each task. A task's error, its state history, and a cached
or skipped state are kept in its ``kfp`` facet.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from governance_app.domain.lineage import EdgeKind, LineageEdge, LineageGraph, LineageNode, NodeKind
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.errors import InputError
from governance_app.importers.kubeflow_lineage import run_node_id, task_node_id
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import read_json, sha256_of_path

KIND = "kubeflow-run"
API_FACET = "kfpApi"
"""Facet of what the API said; the ML Metadata import keeps its own under ``kfp``, so
importing both, in either order, leaves each one's facts in place."""
_HEAD_BYTES = 64 * 1024
_MARKERS = ('"pipeline_version_reference"', '"run_details"', '"storage_state"',
            '"pipeline_spec"', '"runtime_config"')


def detect(path: Path) -> bool:
    """A ``.json`` file whose head shows a v2beta1 run (``run_id`` and a KFP-only field)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return '"run_id"' in head and any(m in head for m in _MARKERS)


def _time(path: Path, value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(path, f"{where} is {value!r}", location=where,
                         expected="an RFC 3339 time such as 2026-12-06T23:37:31Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(path, f"{where} is {value!r}", location=where,
                         expected="an RFC 3339 time such as 2026-12-06T23:37:31Z") from None
    if moment.tzinfo is None:
        raise InputError(path, f"{where} {value!r} has no time zone", location=where,
                         expected="an RFC 3339 time with Z or an offset")
    return moment


def _int64(path: Path, value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(path, f"{where} is {value!r}", location=where,
                         expected="an int64 (as the API writes it, a string of digits)") from None


def runs_of(path: Path, data: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(field path, run)`` of a Run or a ListRuns answer."""
    if isinstance(data, dict) and isinstance(data.get("runs"), list):
        runs = [(f"runs[{i}]", r) for i, r in enumerate(data["runs"])]
    elif isinstance(data, dict) and "run_id" in data:
        runs = [("", data)]
    else:
        raise InputError(path, "holds no run", expected="a v2beta1 Run or ListRuns answer")
    for where, run in runs:
        if not isinstance(run, dict) or not isinstance(run.get("run_id"), str):
            raise InputError(path, f"{where or 'run'} has no run_id",
                             location=f"{where}.run_id" if where else "run_id",
                             expected="a run with its run_id")
    return runs


def run_graph(path: Path, data: Any) -> LineageGraph:
    """Runs and tasks of a Run/ListRuns answer as lineage."""
    graph = LineageGraph()
    for where, run in runs_of(path, data):
        prefix = f"{where}." if where else ""
        run_id = run["run_id"]
        facet: dict[str, Any] = {"display_name": run.get("display_name", "")}
        for key in ("experiment_id", "pipeline_version_reference", "error", "storage_state"):
            if run.get(key) not in (None, "", {}):
                facet[key] = run[key]
        params = (run.get("runtime_config") or {}).get("parameters")
        if params:
            facet["parameters"] = params
        graph.add_node(LineageNode(
            run_node_id(run_id), NodeKind.RUN, run_id, "", str(run.get("state", "")),
            {API_FACET: facet}, _time(path, run.get("created_at"), f"{prefix}created_at"),
            _time(path, run.get("finished_at"), f"{prefix}finished_at")))
        tasks = (run.get("run_details") or {}).get("task_details") or []
        if not isinstance(tasks, list):
            raise InputError(path, f"{prefix}run_details.task_details is not a list",
                             location=f"{prefix}run_details.task_details", expected="a list")
        ids: dict[str, str] = {}
        for i, task in enumerate(tasks):
            where_t = f"{prefix}run_details.task_details[{i}]"
            if not isinstance(task, dict) or not task.get("task_id"):
                raise InputError(path, f"{where_t} has no task_id", location=where_t,
                                 expected="a task with its task_id")
            execution = _int64(path, task.get("execution_id"), f"{where_t}.execution_id")
            ids[str(task["task_id"])] = task_node_id(
                run_id, execution if execution is not None else task["task_id"])
        for i, task in enumerate(tasks):
            where_t = f"{prefix}run_details.task_details[{i}]"
            _add_task(path, graph, run_id, task, ids, where_t)
    return graph


def _add_task(path: Path, graph: LineageGraph, run_id: str, task: dict[str, Any],
              ids: dict[str, str], where: str) -> None:
    node_id = ids[str(task["task_id"])]
    facet: dict[str, Any] = {"task_id": task["task_id"],
                             "display_name": task.get("display_name", "")}
    if "state" not in task:
        facet["never_ran"] = True
    for key in ("error", "state_history", "inputs", "outputs", "execution_id", "pod_name"):
        if task.get(key) not in (None, "", [], {}):
            facet[key] = task[key]
    graph.add_node(LineageNode(
        node_id, NodeKind.TASK, str(task.get("display_name") or task["task_id"]), run_id,
        str(task.get("state", "")), {API_FACET: facet},
        _time(path, task.get("start_time") or task.get("create_time"), f"{where}.start_time"),
        _time(path, task.get("end_time"), f"{where}.end_time")))
    parent = task.get("parent_task_id")
    source = ids.get(str(parent)) if parent else None
    if parent and source is None:
        raise InputError(path, f"{where}.parent_task_id {parent!r} names no task of the run",
                         location=f"{where}.parent_task_id", expected="a task_id of this run")
    graph.add_edge(LineageEdge(source or run_node_id(run_id), node_id, EdgeKind.PARENT.value))


@importer(KIND, "Kubeflow Pipelines v2beta1 Run or ListRuns JSON (API answers)", detect)
def read(path: Path, ctx: ImportContext) -> LineageSnapshot:
    """Read the runs and tasks of a run JSON into a lineage snapshot.

    Raises:
        InputError: malformed JSON, or a field of the wrong form (names it).
    """
    if ctx.options.settings:
        raise InputError(path, "Kubeflow run imports take no settings", expected="none")
    data = read_json(path)
    graph = run_graph(path, data)
    runs = sum(1 for n in graph.nodes.values() if n.kind is NodeKind.RUN)
    return LineageSnapshot(kind=KIND, source=str(path), source_sha256=sha256_of_path(path),
                           graph=graph, runs=runs, files=1)
