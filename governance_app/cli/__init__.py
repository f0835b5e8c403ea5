"""The command line: ``governance-app <verb>``; every GUI capability has a verb here.

Human tables by default, ``--json`` for machines. Exit codes: 0 success, 1 a check that did not
pass, 2 bad input or an unusable workspace.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from governance_app import __version__
from governance_app.cli.output import local_time, number, print_json, table
from governance_app.errors import GovernanceError

if TYPE_CHECKING:  # SQLAlchemy and the services load on use: offline verbs start fast
    from governance_app.services.workspace import Workspace

EPILOG = """examples:
  governance-app demo                                 open the app on the demo workspace
  governance-app import mlruns/                        import an MLflow file store
  governance-app --db board.db import mlflow.db        import into a chosen workspace
  governance-app models --json                         list models as JSON
  governance-app show credit_default:4                 one version with its run
  governance-app compare credit_default 3 4            metric deltas and param diff
  governance-app --db postgresql+psycopg://host/board models
"""


def _progress_printer(quiet: bool) -> Callable[[int, int, str], None]:
    last = [-1]

    def show(done: int, total: int, message: str) -> None:
        if quiet or not sys.stderr.isatty():
            return
        if done != last[0]:
            last[0] = done
            print(f"\r{done:3d}% {message[:60]:<60}", end="", file=sys.stderr, flush=True)

    return show


def cmd_import(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services.importing import import_path

    for raw in args.paths:
        record = import_path(ws, Path(raw), args.kind, _progress_printer(args.json),
                             model=args.model, settings=_import_settings(args))
        if sys.stderr.isatty() and not args.json:
            print(file=sys.stderr)
        if args.json:
            print_json(record)
            continue
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in record.counts.items() if v)
        changes = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in record.changes.items())
        print(
            f"imported {raw} as {record.kind} (import #{record.id}, sha256 "
            f"{record.source_sha256[:12]}…)"
        )
        print(f"  read: {counts or 'nothing'}")
        print(f"  changes: {changes or 'none — the workspace already held all of it'}")
    return 0


IMPORT_SETTINGS = ("label", "prediction", "score", "threshold", "sensitive", "features",
                   "bins", "reference", "min_group_size", "bootstrap", "partial",
                   "project", "engine")


def _import_settings(args: argparse.Namespace) -> dict[str, object]:
    """Format-specific import options given on the command line (lists split on commas)."""
    from governance_app.services.table_columns import parse_bins_option  # pandas: on use

    out: dict[str, object] = {}
    for name in IMPORT_SETTINGS:
        value = getattr(args, name)
        if value is None:
            continue
        if name in ("sensitive", "features"):
            value = [part.strip() for part in str(value).split(",") if part.strip()]
        if name == "bins":
            value = parse_bins_option(value)
        out[name] = value
    return out


def cmd_kinds(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services.importing import import_kinds

    for kind, description in import_kinds().items():
        print(f"{kind:20} {description}")
    return 0


def cmd_imports(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services.importing import list_imports

    records = list_imports(ws)
    if args.json:
        print_json(records)
        return 0
    table(
        ["#", "imported", "kind", "sha256", "source"],
        [
            [str(r.id), local_time(r.imported_at), r.kind, r.source_sha256[:12], r.source]
            for r in records
        ],
        right={0},
    )
    return 0


def cmd_models(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import models as model_service

    summaries = model_service.list_models(ws)
    if args.json:
        print_json(summaries)
        return 0
    if not summaries:
        print("no models yet: import an MLflow store, mlruns/ folder, REST JSON or bundle")
        return 0
    table(
        ["model", "latest", "versions", "aliases", "stage", "owner", "updated"],
        [
            [
                s.name,
                str(s.latest_version or "—"),
                str(s.version_count),
                ", ".join(f"{a}→{v}" for a, v in s.aliases.items()) or "—",
                s.stage,
                s.owner or "—",
                local_time(s.updated_at),
            ]
            for s in summaries
        ],
        right={1, 2},
    )
    return 0


def _pipeline_evidence(ws: Workspace, name: str, version: int) -> dict:
    from governance_app.services.pipelines import version_evidence

    return version_evidence(ws, name, version)


def cmd_show(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import models as model_service

    name, version = model_service.parse_version_ref(args.ref)
    if version is None:
        model = model_service.get_model(ws, name)
        if args.json:
            print_json(model)
            return 0
        print(f"{model.name}  owner: {model.owner or '—'}  updated: {local_time(model.updated_at)}")
        if model.description:
            print(f"  {model.description}")
        _print_model_origin(ws, model.name)  # issue 17
        table(
            ["version", "stage", "aliases", "created", "run", "status"],
            [
                [
                    str(v.version),
                    v.stage,
                    ", ".join(v.aliases) or "—",
                    local_time(v.created_at),
                    v.run_id or "—",
                    v.status,
                ]
                for v in model.versions
            ],
            right={0},
        )
        return 0
    detail = model_service.get_version_detail(ws, name, version)
    if args.json:
        from governance_app.services.origins import external_evaluations, version_origin

        print_json(
            {
                "version": detail.version,
                "origin": version_origin(ws, name, version),
                "external_evaluations": external_evaluations(ws, name, version),
                "experiment": detail.experiment_name,
                "run": detail.run,
                "latest_metrics": detail.latest_metrics,
                "pipeline_evidence": _pipeline_evidence(ws, name, version),
            }
        )
        return 0
    v = detail.version
    print(f"{v.ref}  stage: {v.stage}  aliases: {', '.join(v.aliases) or '—'}  status: {v.status}")
    print(f"  source: {v.source or '—'}\n  created: {local_time(v.created_at)}")
    if v.description:
        print(f"  {v.description}")
    _print_version_origin(ws, v.model_name, v.version)  # issue 17
    if detail.run is None:
        print(f"  run {v.run_id or '—'} is not in this workspace")
        return 0
    run = detail.run
    print(
        f"  run {run.run_id} ({run.name or 'unnamed'}) in {detail.experiment_name}, "
        f"{run.status}, by {run.user or '—'}"
    )
    table(
        ["metric", "latest", "points"],
        [
            [k, number(val), str(len(detail.metric_series.get(k, ())) or "—")]
            for k, val in sorted(detail.latest_metrics.items())
        ],
        right={1, 2},
    )
    table(["param", "value"], [[k, val] for k, val in sorted(run.params.items())])
    for ds in run.inputs:
        print(f"  input: {ds.name} ({ds.context or 'no context'}) digest {ds.digest}")
    return 0


def _print_model_origin(ws: Workspace, name: str) -> None:
    """The platform a model came from and its id there (SageMaker group ARN, Vertex model)."""
    from governance_app.domain.cloud import origin_label
    from governance_app.services.origins import version_origins

    origins = version_origins(ws, name)
    kinds = sorted({origin_label(o.origin) for o in origins.values()})
    ids = sorted({o.model_source_id for o in origins.values() if o.model_source_id})
    if kinds:
        print(f"  origin: {', '.join(kinds)}" + (f"  ({', '.join(ids)})" if ids else ""))
        for (_, version), o in sorted(origins.items()):
            if o.external_decision:
                print(f"  v{version}: {origin_label(o.origin)} says {o.external_decision} "
                      "(read-only; the board's review decides)")


def _print_version_origin(ws: Workspace, name: str, version: int) -> None:
    """Origin, source id and the platform's read-only decision with its history."""
    from governance_app.domain.cloud import detail_lines, origin_label
    from governance_app.services.origins import external_evaluations, version_origin

    origin = version_origin(ws, name, version)
    if origin is not None:
        print(f"  origin: {origin_label(origin.origin)}  {origin.source_id}")
        if origin.external_decision:
            note = f" — {origin.decision_note}" if origin.decision_note else ""
            print(f"  external decision ({origin_label(origin.origin)}, read-only; the board's "
                  f"review decides the gate): {origin.external_decision}{note}")
            for event in origin.decision_history[:-1]:
                print(f"    earlier: {event.decision} {event.at or ''} {event.note}".rstrip())
        for label, text in detail_lines(origin):
            print(f"  {label}: {text}")
    for ev in external_evaluations(ws, name, version):
        metrics = ", ".join(f"{k} {number(val)}" for k, val in sorted(ev.metrics.items()))
        print(f"  evaluation {ev.display_name or ev.name} ({ev.source}): {metrics or '—'}"
              + (f"; {len(ev.slices)} slices" if ev.slices else ""))


def cmd_compare(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import models as model_service

    comparison = model_service.compare_versions(ws, args.model, args.a, args.b)
    if args.json:
        print_json(
            {
                "model": args.model,
                "a": args.a,
                "b": args.b,
                "metrics": [
                    {"key": m.key, "a": m.a, "b": m.b, "delta": m.delta} for m in comparison.metrics
                ],
                "params": [
                    {"key": p.key, "a": p.a, "b": p.b, "changed": p.changed}
                    for p in comparison.params
                ],
            }
        )
        return 0
    table(
        ["metric", f"v{args.a}", f"v{args.b}", "delta"],
        [
            [m.key, number(m.a), number(m.b), "—" if m.delta is None else f"{m.delta:+.4g}"]
            for m in comparison.metrics
        ],
        right={1, 2, 3},
    )
    print()
    table(
        ["param", f"v{args.a}", f"v{args.b}", ""],
        [
            [
                p.key,
                p.a if p.a is not None else "—",
                p.b if p.b is not None else "—",
                "changed" if p.changed else "",
            ]
            for p in comparison.params
        ],
    )
    return 0


GuiRunner = Callable[[str], int]
"""Opens the window on a workspace URL and returns the exit code; supplied by the entry point
(``governance_app.entry``) so that this Qt-free module never imports the Qt front end."""


def cmd_gui(args: argparse.Namespace, ws: Workspace | None, run_gui: GuiRunner | None) -> int:
    if args.verb == "demo":
        from governance_app.services.demo import demo_workspace_url

        url = demo_workspace_url(rebuild=args.rebuild, progress=_demo_progress)
        if args.no_window:
            print(url)  # alone on stdout: DEMO=$(governance-app demo --no-window)
            return 0
        return _require_gui(run_gui)(url)
    return _require_gui(run_gui)(ws.url if ws else args.db)


def _demo_progress(done: int, total: int, message: str) -> None:
    """The demo's build steps on stderr (a first build takes seconds; stdout stays the URL)."""
    print(f"building the demo workspace [{done}/{total}] {message}", file=sys.stderr,
          flush=True)


def _require_gui(run_gui: GuiRunner | None) -> GuiRunner:
    if run_gui is None:
        raise GovernanceError("this entry point has no window; run the governance-app command")
    return run_gui


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every verb, or, when ``argv`` names a verb of
    :data:`VERB_HOMES`, only the verbs of that verb's module (the others' modules are not
    imported: ``drift`` and ``fairness`` start without them)."""
    parser = argparse.ArgumentParser(
        prog="governance-app",
        description="Offline ML model governance: registry, lineage, "
        "fairness, drift, signed promotion reviews and verifiable reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"governance-app {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="workspace: a SQLite file path or URL, or "
        "postgresql+psycopg://… (default: $GOVERNANCE_APP_DB or the user's "
        "data folder)",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        p = verbs.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return p

    p = verb(
        "import",
        "import registry exports into the workspace (all-or-nothing)",
        "governance-app import mlflow.db mlruns/ rest-answers/",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--kind", help="override detection (see `governance-app kinds`)")
    p.add_argument("--model", metavar="NAME:VERSION",
                   help="the model version that evidence (predictions, drift reports, model "
                   "cards) belongs to")
    table = p.add_argument_group("prediction tables (fairness evidence)")
    table.add_argument("--label", help="column of true labels (0/1)")
    table.add_argument("--prediction", help="column of binary predictions (0/1)")
    table.add_argument("--score", help="column of scores, with --threshold")
    table.add_argument("--threshold", type=float, help="score at or above which the "
                       "prediction is positive")
    table.add_argument("--sensitive", help="sensitive attribute columns, comma-separated")
    table.add_argument("--features", help="other columns for slice search, comma-separated")
    table.add_argument("--bins", action="append", metavar="COL=e1,e2,e3", help="bin edges for "
                       "a numeric sensitive attribute (repeatable), e.g. age=0,18,65,120")
    table.add_argument("--reference", metavar="GROUP", help="reference group (one value per "
                       "attribute, '|'-joined); default the largest group")
    table.add_argument("--min-group-size", type=int, metavar="N",
                       help="smaller groups are flagged, not ranked or judged (default 30)")
    table.add_argument("--bootstrap", type=int, metavar="N",
                       help="bootstrap resamples for confidence intervals (0: none; default 200)")
    table.add_argument("--engine", choices=("auto", "memory", "duckdb", "spark"),
                       help="where the rows are counted (default auto: duckdb for files of "
                       "64 MiB or more, memory otherwise; spark needs governance-app[spark])")
    logs = p.add_argument_group("W&B offline runs")  # issue 17
    logs.add_argument("--partial", action="store_const", const=True, default=None,
                      help="import what precedes a truncated or corrupt record of a run log "
                      "instead of refusing the log (the damage's byte offset is recorded)")
    pipes = p.add_argument_group("DVC projects and experiments")
    pipes.add_argument("--project", metavar="NAME", help="the project's name in lineage ids "
                       "(default: the project folder's name; docs/pipelines.md)")
    p.add_argument("--json", action="store_true")
    p = verb("kinds", "list the source kinds governance-app can import",
             "governance-app kinds")
    p = verb("imports", "list past imports with their SHA-256", "governance-app imports --json")
    p.add_argument("--json", action="store_true")
    p = verb("models", "list registered models", "governance-app models --json")
    p.add_argument("--json", action="store_true")
    p = verb(
        "show", "show a model or one version with its run", "governance-app show credit_default:4"
    )
    p.add_argument("ref", metavar="MODEL[:VERSION]")
    p.add_argument("--json", action="store_true")
    p = verb(
        "compare",
        "compare two versions of a model: metric deltas and param diff",
        "governance-app compare credit_default 3 4",
    )
    p.add_argument("model")
    p.add_argument("a", type=int)
    p.add_argument("b", type=int)
    p.add_argument("--json", action="store_true")
    p = verb("demo", "open the app on the bundled demo workspace", "governance-app demo")
    p.add_argument("--rebuild", action="store_true", help="rebuild the demo workspace first")
    p.add_argument(
        "--no-window", action="store_true", help="only build the demo workspace and print its URL"
    )
    verb("gui", "open the app on the workspace", "governance-app --db board.db gui")
    home = VERB_HOMES.get(_verb_of(argv)) if argv is not None else None
    for module in ([importlib.import_module(f"governance_app.cli.{home}")] if home
                   else verb_modules()):
        VERBS.update(module.register(verb))
    return parser


VERB_HOMES = {"drift": "drift", "drift-history": "drift", "fairness": "fairness",
              "slices": "fairness", "inventory": "risk", "tier": "risk", "finding": "risk"}
"""Verbs whose module alone is registered when the command line names them (the analysis
verbs, timed whole-process by ``benchmarks/bench_drift_cli.py`` and ``bench_fairness_cli.py``;
the model-risk verbs, ``inventory --json`` timed by ``benchmarks/bench_inventory.py``)."""


def _verb_of(argv: Sequence[str]) -> str | None:
    """The verb a command line names (``None`` when it asks for help or names none)."""
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif arg in ("-h", "--help", "--version") or not arg.startswith("-"):
            return None if arg.startswith("-") else arg
    return None


Handler = Callable[[argparse.Namespace, "Workspace | None"], int]
VerbFactory = Callable[[str, str, str], argparse.ArgumentParser]


@dataclass(frozen=True, slots=True)
class Verb:
    """A verb's handler; ``needs_workspace`` is False for verbs that only read files."""

    handler: Handler
    needs_workspace: bool = True


VERBS: dict[str, Verb] = {
    "import": Verb(cmd_import),
    "imports": Verb(cmd_imports),
    "models": Verb(cmd_models),
    "show": Verb(cmd_show),
    "compare": Verb(cmd_compare),
    "kinds": Verb(cmd_kinds, needs_workspace=False),
}


def verb_modules() -> list[ModuleType]:
    """Each capability's verbs live in a module of this package with
    ``register(verb: VerbFactory) -> dict[str, Verb]``; list it here."""
    # Imported here, not at the top: they import Verb from this module.
    import governance_app.cli.model_cards as model_cards  # issue 8: card text
    import governance_app.cli.reports as reports  # issue 8
    from governance_app.cli import (
        board,  # issue 13
        completion,
        drift,
        fairness,
        governance,
        lineage,
        reviews,
        risk,  # issue 19
    )

    return [fairness, drift, lineage, governance, reviews, completion, reports, model_cards,
            board, risk]


def main(argv: Sequence[str] | None = None, run_gui: GuiRunner | None = None) -> int:
    """Run one verb. ``run_gui`` opens the window for ``demo`` and ``gui``; without it those
    verbs can only build the demo workspace (``demo --no-window``)."""
    from governance_app.cli.offline import offline_main  # issue 13: no workspace, no SQL

    offline = offline_main(argv)
    if offline is not None:
        return offline
    args = build_parser(list(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    try:
        if args.verb == "demo":
            return cmd_gui(args, None, run_gui)
        verb = VERBS.get(args.verb)
        if verb is not None and not verb.needs_workspace:
            return verb.handler(args, None)
        from governance_app.services.workspace import Workspace

        with Workspace.open(args.db) as ws:
            if args.verb == "gui":
                return cmd_gui(args, ws, run_gui)
            assert verb is not None, f"verb {args.verb} has no handler"
            return verb.handler(args, ws)
    except GovernanceError as exc:
        print(f"governance-app: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("governance-app: interrupted; nothing was stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`governance-app models | head`): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


