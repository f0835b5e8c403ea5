"""Benchmark: importing a 2,000-stage DVC project and a 5,000-task Kubeflow run, and laying
them out for the Lineage view.

Issue 16 asks each import to take at most 5 s and the Lineage view to lay them out without
blocking the window. This writes, in a temporary folder, a seeded DVC project (``dvc.yaml``
with ``foreach`` stages, ``dvc.lock`` with md5 hashes, ``params.yaml``, ``.dvc`` data
sources) and a seeded KFP run (v2beta1 Run JSON with nested DAG tasks, failed, skipped and
never-run tasks, and the ML Metadata JSON export of the same run with its artifacts and
events), then times, on a fresh SQLite workspace:

* each import, end to end (read, validate, store in one transaction), wall and CPU, and how
  much of it is the registry digest the audit trail records before and after every import
  (``governance.registry_digest.registry_sha256``, timed by wrapping it here);
* the workspace graph (``services.lineage.workspace_graph``);
* for the Lineage view: measuring labels and building the scene (GUI thread) and the layered
  layout (the view runs it in a worker thread, so the window stays responsive meanwhile).

    python benchmarks/bench_pipelines.py [--stages 2000] [--tasks 5000] [--seed 16]

Prints the figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # a checkout that is not installed
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# See bench_lineage_view.py: PySide6 on CPython 3.11 leaks a reference to None per void call.
_NONE_BALLAST = [None] * 20_000_000 if sys.version_info < (3, 12) else []


def _md5(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def write_dvc_project(root: Path, stages: int, seed: int) -> None:
    """A project of ``stages`` stages: ``foreach`` groups of 4 plus plain stages, each reading
    one to three earlier outputs and its script, all locked."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / ".dvc").mkdir()
    (root / "params.yaml").write_text("train:\n  lr: 0.1\n  epochs: 10\nprepare:\n  seed: 1\n")
    sources = [f"data/raw/part-{i:02d}.csv" for i in range(20)]
    (root / "data" / "raw").mkdir(parents=True)
    for path in sources:
        (root / f"{path}.dvc").write_text(
            f"outs:\n- md5: {_md5(rng)}\n  size: {rng.randint(1000, 10**7)}\n  hash: md5\n"
            f"  path: {Path(path).name}\n")
    outputs = list(sources)
    yaml_lines = ["stages:"]
    lock_lines = ["schema: '2.0'", "stages:"]
    made = 0
    group = 0
    while made < stages:
        reads = rng.sample(outputs[-200:], k=min(len(outputs), rng.randint(1, 3)))
        if made + 4 <= stages and rng.random() < 0.3:
            name = f"shard{group}"
            items = ["a", "b", "c", "d"]
            yaml_lines += [f"  {name}:", f"    foreach: [{', '.join(items)}]", "    do:",
                           f"      cmd: python src/{name}.py ${{item}}", "      deps:",
                           f"        - src/{name}.py"]
            yaml_lines += [f"        - {r}" for r in reads]
            yaml_lines += ["      params:", "        - prepare.seed", "      outs:",
                           f"        - data/{name}/${{item}}.csv"]
            for item in items:
                out = f"data/{name}/{item}.csv"
                lock_lines += _lock_entry(f"{name}@{item}", f"python src/{name}.py {item}",
                                          [f"src/{name}.py", *reads], [out], rng,
                                          "prepare.seed: 1")
                outputs.append(out)
            made += 4
        else:
            name = f"step{made}"
            out = f"data/{name}.csv"
            yaml_lines += [f"  {name}:", f"    cmd: python src/{name}.py", "    deps:",
                           f"      - src/{name}.py"]
            yaml_lines += [f"      - {r}" for r in reads]
            yaml_lines += ["    params:", "      - train", "    outs:", f"      - {out}"]
            lock_lines += _lock_entry(name, f"python src/{name}.py",
                                      [f"src/{name}.py", *reads], [out], rng,
                                      "train:\n          lr: 0.1\n          epochs: 10")
            outputs.append(out)
            made += 1
        group += 1
    (root / "dvc.yaml").write_text("\n".join(yaml_lines) + "\n")
    (root / "dvc.lock").write_text("\n".join(lock_lines) + "\n")


def _lock_entry(name: str, cmd: str, deps: list[str], outs: list[str], rng: random.Random,
                params: str) -> list[str]:
    lines = [f"  {name}:", f"    cmd: {cmd}", "    deps:"]
    for path in sorted(deps):
        lines += [f"    - path: {path}", "      hash: md5", f"      md5: {_md5(rng)}",
                  f"      size: {rng.randint(100, 10**6)}"]
    lines += ["    params:", "      params.yaml:", f"        {params}", "    outs:"]
    for path in outs:
        lines += [f"    - path: {path}", "      hash: md5", f"      md5: {_md5(rng)}",
                  f"      size: {rng.randint(100, 10**6)}"]
    return lines


def write_kfp_run(folder: Path, tasks: int, seed: int) -> tuple[Path, Path]:
    """A v2beta1 Run of ``tasks`` tasks shaped like a big KFP run: ``ParallelFor`` DAGs of 50
    tasks (48 iterations, each reading the loop's input and writing its own dataset, then an
    aggregate reading them all), each loop reading the aggregate of one of the three loops
    before it; 1 % failed, 1 % skipped, a few never run; and the ML Metadata export of the
    same run."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    run_id = f"5a1e0000-0000-4000-8000-{seed:012d}"
    details = []
    executions = [{"id": "1", "type": "system.DAGExecution", "lastKnownState": "COMPLETE",
                   "name": f"run/{run_id}", "customProperties": {}}]
    artifacts = [{"id": "1", "type": "system.Dataset", "state": "LIVE",
                  "uri": f"minio://mlpipeline/v2/artifacts/bench/{run_id}/raw",
                  "customProperties": {"md5": {"stringValue": _md5(rng)}}}]
    events = []
    aggregates = [1]
    loop_task = loop_exec = None
    loop_input = 1
    outputs: list[int] = []
    for i in range(tasks):
        eid = i + 2
        task_id = f"7a5c{i % 65536:04x}-0000-4000-8000-{i:012d}"
        position = i % 50
        kind = "system.DAGExecution" if position == 0 else "system.ContainerExecution"
        if position == 0:
            loop_task, loop_exec = task_id, eid
            loop_input = rng.choice(aggregates[-3:])
            outputs = []
        roll = rng.random()
        state = "FAILED" if roll < 0.01 else "SKIPPED" if roll < 0.02 else "SUCCEEDED"
        task = {"run_id": run_id, "task_id": task_id, "display_name": f"task-{i}",
                "create_time": "2026-12-01T10:00:00Z", "start_time": "2026-12-01T10:00:01Z",
                "end_time": "2026-12-01T10:00:05Z", "execution_id": str(eid)}
        if position:
            task["parent_task_id"] = loop_task
        if roll > 0.995:  # never ran: no state, no execution (the API omits both)
            del task["execution_id"], task["start_time"], task["end_time"]
        else:
            task["state"] = state
        if state == "FAILED":
            task["error"] = {"code": 2, "message": f"task-{i} exited with code 1"}
        details.append(task)
        mlmd_state = {"FAILED": "FAILED", "SKIPPED": "CANCELED"}.get(state, "COMPLETE")
        props = {"task_name": {"stringValue": f"task-{i}"},
                 "display_name": {"stringValue": f"task-{i}"},
                 "parent_dag_id": {"intValue": str(loop_exec if position else 1)}}
        executions.append({"id": str(eid), "type": kind, "lastKnownState": mlmd_state,
                           "customProperties": props})
        if kind != "system.ContainerExecution":
            continue
        reads = outputs if position == 49 else [loop_input]
        for source in reads:
            events.append({"artifactId": str(source), "executionId": str(eid), "type": "INPUT",
                           "path": {"steps": [{"key": "in"}]}})
        aid = len(artifacts) + 1
        artifacts.append({"id": str(aid), "type": "system.Dataset", "state": "LIVE",
                          "uri": f"minio://mlpipeline/v2/artifacts/bench/{run_id}/t{i}/out",
                          "customProperties": {"md5": {"stringValue": _md5(rng)}}})
        events.append({"artifactId": str(aid), "executionId": str(eid), "type": "OUTPUT",
                       "path": {"steps": [{"key": "out"}]}})
        if position == 49:
            aggregates.append(aid)
        else:
            outputs.append(aid)
    run = {"run_id": run_id, "display_name": "bench", "state": "FAILED",
           "created_at": "2026-12-01T10:00:00Z", "finished_at": "2026-12-01T11:00:00Z",
           "pipeline_version_reference": {"pipeline_id": "p", "pipeline_version_id": "v"},
           "run_details": {"task_details": details}}
    store = {"ml_metadata_version": "1.17.1",
             "contexts": [{"id": "1", "type": "system.Pipeline", "name": "bench"},
                          {"id": "2", "type": "system.PipelineRun", "name": run_id}],
             "parentContexts": [{"childId": "2", "parentId": "1"}],
             "executions": executions, "artifacts": artifacts, "events": events,
             "associations": [{"contextId": "2", "executionId": e["id"]} for e in executions],
             "attributions": [{"contextId": "2", "artifactId": a["id"]} for a in artifacts]}
    run_file, store_file = folder / "run.json", folder / "mlmd_export.json"
    run_file.write_text(json.dumps(run))
    store_file.write_text(json.dumps(store))
    return run_file, store_file


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of this process: on a shared, loaded machine the wall
    clock mostly measures the other processes, the CPU time what the import itself costs."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


class DigestTimer:
    """Wraps the audit trail's registry digest to add up its wall and CPU time."""

    def __init__(self) -> None:
        from governance_app.services import audit

        self.wall = self.cpu = 0.0
        self.calls = 0
        self._audit, self._real = audit, audit.registry_sha256

        def timed_digest(session):  # type: ignore[no-untyped-def]
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return self._real(session)
            finally:
                self.wall += time.perf_counter() - start
                self.cpu += time.process_time() - cpu
                self.calls += 1

        audit.registry_sha256 = timed_digest

    def take(self) -> tuple[float, float, int]:
        """Wall, CPU and calls since the last take."""
        figures = (self.wall, self.cpu, self.calls)
        self.wall = self.cpu = 0.0
        self.calls = 0
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-view", action="store_true", help="skip the Lineage view part")
    parser.add_argument("--view-tasks", type=int, default=None,
                        help="lay out a KFP run of this many tasks instead (the layout of "
                             "10,000 nodes takes minutes of CPU: measure a smaller one and "
                             "scale)")
    args = parser.parse_args()

    from governance_app.services import lineage
    from governance_app.services.importing import import_path
    from governance_app.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        project = base / "project"
        write_dvc_project(project, args.stages, args.seed)
        run_file, store_file = write_kfp_run(base / "kfp", args.tasks, args.seed)
        view_store = None
        if args.view_tasks is not None:
            view_store = write_kfp_run(base / "kfp-view", args.view_tasks, args.seed)[1]
        figures: dict[str, tuple[float, float]] = {}
        digests: dict[str, tuple[float, float, int]] = {}
        digest = DigestTimer()
        graphs = {}
        for label, source in (("DVC project", project), ("KFP run JSON", run_file),
                              ("KFP ML Metadata export", store_file)):
            url = f"sqlite:///{base / (label.replace(' ', '_') + '.db')}"
            with Workspace.open(url) as ws:
                digest.take()
                wall, cpu, record = timed_cpu(lambda ws=ws, source=source: import_path(ws, source))
                figures[f"import {label}"] = (wall, cpu)
                digests[f"import {label}"] = digest.take()
                print(f"{label}: {record.counts}")
                wall, cpu, graph = timed_cpu(lambda ws=ws: lineage.workspace_graph(ws))
                figures[f"workspace graph, {label}"] = (wall, cpu)
                graphs[label] = graph
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'':<44} {'wall':>9} {'CPU':>9}")
        for label, (wall, cpu) in figures.items():
            print(f"{label:<44} {wall * 1000:7.0f} ms {cpu * 1000:6.0f} ms")
            if label in digests:
                d_wall, d_cpu, calls = digests[label]
                print(f"  of which the registry digest ({calls} calls){'':<12} "
                      f"{d_wall * 1000:7.0f} ms {d_cpu * 1000:6.0f} ms "
                      f"({100 * d_cpu / max(cpu, 1e-9):.0f} % of the CPU)")
        print("The first import also loads the importer and writer modules (a whole "
              "`governance-app import` process pays that once).")
        if not args.no_view:
            if view_store is not None:
                url = f"sqlite:///{base / 'view.db'}"
                with Workspace.open(url) as ws:
                    import_path(ws, view_store)
                    graphs["KFP ML Metadata export"] = lineage.workspace_graph(ws)
            view_figures(graphs)
    sys.stdout.flush()
    os._exit(0)  # see _NONE_BALLAST


def view_figures(graphs: dict[str, object]) -> None:
    """What the Lineage view does with each graph: on the GUI thread, label widths and the
    scene; in its worker, the layout."""
    from PySide6.QtWidgets import QApplication

    from governance_app.ui.lineage_items import LineageStyle, node_widths
    from governance_app.ui.lineage_scene import LineageScene
    from governance_app.ui.lineage_tasks import layout_lineage

    QApplication.instance() or QApplication(sys.argv)
    style = LineageStyle.from_palette()
    for label in ("DVC project", "KFP ML Metadata export"):
        graph = graphs[label]
        widths_s, widths_cpu, widths = timed_cpu(
            lambda g=graph: node_widths(g.nodes.values(), style))
        layout_s, layout_cpu, layout = timed_cpu(lambda g=graph, w=widths: layout_lineage(g, w))
        scene = LineageScene()
        scene_s, scene_cpu, _ = timed_cpu(lambda g=graph, lay=layout, w=widths, sc=scene:
                                          sc.build(g, lay, w, style))
        print(f"{label}: {len(graph.nodes):,} nodes, {len(graph.edges):,} edges (wall / CPU)")
        print(f"  labels {widths_s * 1000:.0f} / {widths_cpu * 1000:.0f} ms (GUI thread)")
        print(f"  layout {layout_s * 1000:.0f} / {layout_cpu * 1000:.0f} ms (worker thread)")
        print(f"  scene  {scene_s * 1000:.0f} / {scene_cpu * 1000:.0f} ms (GUI thread)")


if __name__ == "__main__":
    sys.exit(main())
