"""``governance-app drift`` and ``drift-history``: compute drift from tables, show stored history.

``drift`` only reads files. ``drift-history TABLE …`` computes a history from a monitoring table
(and stores it with ``--model``); ``drift-history --model NAME[:VERSION]`` prints what is stored,
imported from Evidently or computed, oldest first.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from governance_app.cli.engine_options import add_engine_options
from governance_app.cli.output import local_time, number, print_json, table
from governance_app.domain.drift import METHOD_LABELS, ColumnDrift
from governance_app.domain.drift_records import DriftResult
from governance_app.errors import InputError

if TYPE_CHECKING:  # SQLAlchemy loads only for the verbs that open a workspace
    from governance_app.services.workspace import Workspace

POLICY_HELP = ("a gate policy YAML whose drift: section sets methods, thresholds and the "
               "drift share, per feature (docs/policies.md)")


def _verdict(drifted: bool) -> str:
    return "DRIFT" if drifted else "ok"


def _result_json(result: DriftResult) -> dict[str, object]:
    drift = result.drift
    return {
        "label": result.label,
        "timestamp": result.timestamp,
        "window_start": result.window_start,
        "window_end": result.window_end,
        "source_kind": result.source_kind,
        "source_sha256": result.source_sha256,
        "share_of_drifted_columns": drift.share_drifted,
        "drift_share": drift.threshold,
        "dataset_drift": drift.drifted,
        "policy": result.details.get("policy"),
        "columns": [
            {"column": c.column, "column_type": str(c.column_type), "method": c.method,
             "method_label": METHOD_LABELS.get(c.method, c.method), "threshold": c.threshold,
             # score is what the threshold judges (the p-value of a test); statistic is the
             # test's own statistic (KS D, chi-square, z) or the distance itself.
             "score": c.score, "statistic": c.statistic, "p_value": c.p_value,
             "drifted": c.drifted, "statistics": statistics_of(c),
             "n_ref": c.n_ref, "n_cur": c.n_cur, "nulls_ref": c.nulls_ref,
             "nulls_cur": c.nulls_cur, "unseen_categories": list(c.unseen_categories),
             "reason": c.reason}
            for c in drift.columns
        ],
    }


STATISTIC_ORDER = ("ks_statistic", "ks_p_value", "wasserstein", "wasserstein_raw", "psi",
                   "jensenshannon", "chisquare_statistic", "chisquare_p_value", "z_statistic",
                   "z_p_value")


def statistics_of(column: ColumnDrift) -> dict[str, float]:
    """Every statistic computed for a column, named, in one order (``--methods all`` computes
    all that apply; otherwise the chosen method's statistic and p-value)."""
    found = dict(column.details)
    ranked = sorted(found, key=lambda k: (STATISTIC_ORDER.index(k)
                                          if k in STATISTIC_ORDER else len(STATISTIC_ORDER), k))
    return {key: found[key] for key in ranked}


def _print_statistics(result: DriftResult) -> None:
    """``--methods all``: a column × statistic table beside the verdict table."""
    names = [k for k in STATISTIC_ORDER
             if any(k in c.details for c in result.drift.columns)]
    print()
    table(["column", *names],
          [[c.column, *[number(c.details[k]) if k in c.details else "—" for k in names]]
           for c in result.drift.columns],
          right=set(range(1, len(names) + 1)))


def _print_columns(result: DriftResult) -> None:
    drift = result.drift
    table(
        ["column", "type", "method", "statistic", "p-value", "score", "threshold", "verdict"],
        [[c.column, str(c.column_type), METHOD_LABELS.get(c.method, c.method),
          number(c.statistic) if c.statistic is not None else "—",
          number(c.p_value) if c.p_value is not None else "—", number(c.score),
          number(c.threshold), _verdict(c.drifted)] for c in drift.columns],
        right={3, 4, 5, 6},
    )
    print(f"dataset: {drift.n_drifted} of {len(drift.columns)} columns drifted "
          f"(share {number(drift.share_drifted)}, threshold {number(drift.threshold)}): "
          f"{'DRIFT' if drift.drifted else 'no dataset drift'}")
    policy = result.details.get("policy")
    if isinstance(policy, dict):
        print(f"judged by policy {policy.get('name')} (digest {str(policy.get('digest'))[:12]}…)")


def _print_history(results: Sequence[DriftResult]) -> None:
    if not results:
        print("no drift results for this version: import Evidently exports with "
              "`governance-app import FOLDER --model NAME:VERSION` or compute a history")
        return
    table(
        ["when", "label", "source", "drifted columns", "share", "threshold", "verdict"],
        [[local_time(r.moment), r.label, r.source_kind,
          f"{r.drift.n_drifted}/{len(r.drift.columns)}", number(r.drift.share_drifted),
          number(r.drift.threshold), _verdict(r.drift.drifted)] for r in results],
        right={3, 4, 5},
    )


def cmd_drift(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services import drift as drift_service  # pandas, numpy: on use

    result = drift_service.compute_drift(Path(args.reference), Path(args.current),
                                         columns=args.columns or None,
                                         policy_path=Path(args.policy) if args.policy else None,
                                         engine=args.engine, spark_master=args.spark_master,
                                         all_statistics=args.methods == "all")
    if args.json:
        print_json(_result_json(result))
    else:
        _print_columns(result)
        if args.methods == "all":
            _print_statistics(result)
    return 0


def _split_window(text: str) -> tuple[str, str]:
    start, sep, end = text.partition("/")
    if not sep or not start or not end:
        raise InputError("--reference-window", f"{text!r} is not a window",
                         expected="START/END, e.g. 2026-01-01/2026-01-31")
    return start, end


def cmd_drift_history(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services import drift as drift_service  # pandas, numpy: on use

    if args.table is None:
        if not args.model:
            raise InputError("drift-history", "needs a TABLE or --model",
                             expected="drift-history TABLE --time-column COL --window 1D, "
                             "or drift-history --model NAME[:VERSION]")
        if args.policy:
            raise InputError("--policy", "applies when a history is computed from a TABLE",
                             expected="drift-history TABLE … --policy FILE")
        name, _, version = args.model.partition(":")
        assert ws is not None
        results = drift_service.drift_results(ws, name, int(version) if version else None)
    else:
        if not args.time_column or not args.window:
            raise InputError(args.table, "needs --time-column and --window",
                             expected="e.g. --time-column ts --window 1D")
        if args.model and ":" not in args.model:
            raise InputError("--model", f"{args.model!r} names no version",
                             expected="NAME:VERSION to store the history under")
        results = drift_service.compute_history(
            Path(args.table), args.time_column, args.window,
            reference_path=Path(args.reference) if args.reference else None,
            reference_window=_split_window(args.reference_window)
            if args.reference_window else None,
            ws=ws if args.model else None, model=args.model or None,
            columns=args.columns or None,
            policy_path=Path(args.policy) if args.policy else None, engine=args.engine,
            spark_master=args.spark_master)
    if args.json:
        print_json([_result_json(r) for r in results])
    else:
        _print_history(results)
    return 0


def register(verb: Callable[[str, str, str], argparse.ArgumentParser]) -> dict[str, object]:
    """Add ``drift`` and ``drift-history`` to the parser; return their handlers."""
    from governance_app.cli import Verb

    p = verb("drift", "compute drift of a current table against a reference table",
             "governance-app drift --reference train.csv --current week-12.csv --json")
    p.add_argument("--reference", required=True, metavar="FILE",
                   help="CSV or Parquet (a folder or glob of Parquet with duckdb/spark)")
    p.add_argument("--current", required=True, metavar="FILE",
                   help="CSV or Parquet (a folder or glob of Parquet with duckdb/spark)")
    add_engine_options(p)
    p.add_argument("--columns", nargs="+", metavar="COL", help="only these columns")
    p.add_argument("--policy", metavar="FILE", help=POLICY_HELP)
    p.add_argument("--methods", choices=["chosen", "all"], default="chosen",
                   help="all: also compute every statistic that applies to each column (KS D "
                        "and p-value, Wasserstein, PSI, Jensen-Shannon, chi-square, z) and "
                        "print them; the verdict stays the chosen method's")
    p.add_argument("--json", action="store_true")
    p = verb("drift-history",
             "compute a drift history from a monitoring table, or show a version's stored one",
             "governance-app drift-history monitoring.csv --time-column ts --window 1D "
             "--reference train.csv --model credit_default:3\n"
             "  governance-app drift-history --model credit_default:3 --json")
    p.add_argument("table", nargs="?", metavar="TABLE",
                   help="monitoring table (CSV/Parquet; a folder or glob of Parquet with duckdb)")
    p.add_argument("--time-column", metavar="COL")
    p.add_argument("--window", metavar="FREQ", help="window length: 1h, 1D, 1W, …")
    ref = p.add_mutually_exclusive_group()
    ref.add_argument("--reference", metavar="FILE", help="reference table")
    ref.add_argument("--reference-window", metavar="START/END",
                     help="a window of TABLE as the reference")
    p.add_argument("--columns", nargs="+", metavar="COL", help="only these columns")
    p.add_argument("--model", metavar="NAME[:VERSION]",
                   help="store the computed history under this version, or show its history")
    p.add_argument("--policy", metavar="FILE", help=POLICY_HELP)
    add_engine_options(p)
    p.add_argument("--json", action="store_true")
    return {"drift": Verb(cmd_drift, needs_workspace=False),
            "drift-history": Verb(cmd_drift_history)}
