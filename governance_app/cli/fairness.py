"""``governance-app fairness`` and ``slices``: fairness of a prediction table, or of a version.

``fairness TABLE ...`` and ``slices TABLE ...`` read a file and need no workspace;
``fairness --model NAME:VERSION`` prints what imports attached to that version. Numbers are
shown to 4 significant digits, undefined ones as "—" with the reason underneath; ``--json``
gives every number at full precision.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from governance_app.cli import Verb
from governance_app.cli.engine_options import add_engine_options
from governance_app.cli.output import local_time, number, print_json, table
from governance_app.domain.fairness import FairnessReport, MetricValue, ParityVerdict
from governance_app.domain.fairness_evidence import AttributeAnalysis, FairnessAnalysis
from governance_app.errors import InputError
from governance_app.importers.prediction_table import DEFAULT_MIN_GROUP_SIZE, parse_model_ref

if TYPE_CHECKING:  # SQLAlchemy loads only when a workspace is opened (--model)
    from governance_app.services.workspace import Workspace

COLUMNS = (("selection_rate", "selection rate"), ("base_rate", "base rate"),
           ("true_positive_rate", "TPR"), ("false_positive_rate", "FPR"),
           ("false_negative_rate", "FNR"), ("precision_score", "precision"),
           ("accuracy_score", "accuracy"), ("balanced_accuracy_score", "bal. accuracy"),
           ("roc_auc_score", "ROC AUC"))
NAMED = (("demographic parity", "demographic_parity"), ("equalized odds", "equalized_odds"),
         ("equal opportunity", "equal_opportunity"))
SHORT = {"selection_rate": "selection", "false_positive_rate": "FPR",
         "false_negative_rate": "FNR", "false_discovery_rate": "FDR",
         "false_omission_rate": "FOR"}

VerbFactory = Callable[[str, str, str], argparse.ArgumentParser]


def _group_name(key: tuple[str, ...]) -> str:
    return " | ".join(key)


def _cell(value: MetricValue, notes: list[str], where: str, name: str) -> str:
    if value.defined:
        return number(value.value)
    notes.append(f"  — {where}, {name}: {value.reason}")
    return "—"


def _print_report(analysis: AttributeAnalysis) -> None:
    report: FairnessReport = analysis.report
    shown = [(m, title) for m, title in COLUMNS if m in report.overall.metrics]
    ci = analysis.bootstrap
    headers = ["group", "n", *[t for _, t in shown]]
    if ci is not None:
        headers.insert(3, f"{ci.level:.0%} CI")
    notes: list[str] = []
    rows = []
    for row in [*report.groups, report.overall]:
        if row.count == 0:
            continue
        name = _group_name(row.key)
        cells = [_cell(row.metrics[m], notes, name, t) for m, t in shown]
        flag = "*" if row.below_minimum else ""
        line = [name + (" (ref)" if row.key == report.reference else ""), f"{row.count}{flag}",
                *cells]
        if ci is not None:
            interval = ci.groups.get(row.key, {}).get("selection_rate")
            line.insert(3, "" if interval is None or interval.low is None else
                        f"[{number(interval.low)}, {number(interval.high)}]")
        rows.append(line)
    print(f"\n== {' × '.join(report.attributes)}  (reference group: "
          f"{_group_name(report.reference)})")
    table(headers, rows, right=set(range(1, len(headers))))
    if any(g.below_minimum for g in report.groups):
        print(f"  * fewer than {report.min_group_size} rows: shown, but not ranked, compared "
              "or judged")
    empty = [g for g in report.groups if g.count == 0]
    if empty:
        print(f"  {len(empty)} empty intersection(s) not shown")
    for note in notes:
        print(note)
    print("disparities (between groups: max − min, min ÷ max):")
    notes = []
    table(["", "difference", "ratio"], [
        [title, _cell(report.summary[f"{key}_difference"], notes, title, "difference"),
         _cell(report.summary[f"{key}_ratio"], notes, title, "ratio")] for title, key in NAMED
    ], right={1, 2})
    for note in notes:
        print(note)
    _print_parity(analysis)


def _print_parity(analysis: AttributeAnalysis) -> None:
    if not analysis.parity:
        return
    tau = analysis.parity[0].tau
    metrics = list(dict.fromkeys(p.metric for p in analysis.parity))
    by_group: dict[tuple[str, ...], dict[str, str]] = {}
    for p in analysis.parity:
        word = p.verdict.value
        if p.disparity.defined and p.verdict is not ParityVerdict.INSUFFICIENT_DATA:
            word += f" ({number(p.disparity.value)})"
        by_group.setdefault(p.key, {})[p.metric] = word
    print(f"parity vs reference (pass when {number(tau)} ≤ group ÷ reference ≤ {number(1 / tau)}):")
    table(["group", *[SHORT.get(m, m) for m in metrics]],
          [[_group_name(k), *[v.get(m, "") for m in metrics]] for k, v in by_group.items()])
    failed = sum(p.verdict is ParityVerdict.FAIL for p in analysis.parity)
    unknown = sum(p.verdict is ParityVerdict.INSUFFICIENT_DATA for p in analysis.parity)
    print(f"  {failed} fail, {unknown} insufficient data, "
          f"{len(analysis.parity) - failed - unknown} pass")


def _print_slices(analysis: FairnessAnalysis) -> None:
    if analysis.slices is None:
        return
    s = analysis.slices
    print(f"\n== weakest slices ({s.metric}; overall {number(s.overall_value)}, "
          f"{s.slices_tested} slices tested, FDR {number(s.alpha)})")
    _slice_table(s)


def _slice_table(s) -> None:  # noqa: ANN001  a SliceReport
    if not s.slices:
        print("  no slice is significantly worse than the rest")
        return
    table(["slice", "n", s.metric, "rest", "effect", "p (BH)"], [
        [" ∧ ".join(map(str, x.conditions)), str(x.size), number(x.metric_value),
         number(x.complement_value), f"{x.effect_size:+.4g}", f"{x.p_adjusted:.3g}"]
        for x in s.slices], right={1, 2, 3, 4, 5})


def _print_analysis(analysis: FairnessAnalysis) -> None:
    st = analysis.settings
    outcome = (f"prediction {st['prediction']!r}" if st.get("prediction")
               else f"score {st['score']!r} ≥ {number(st['threshold'])}")
    print(f"{analysis.source}: {analysis.row_count:,} rows, sha256 "
          f"{analysis.source_sha256[:12]}…; label {st['label']!r}, {outcome}; "
          f"convention {st['convention']}, minimum group {st['min_group_size']}, "
          f"bootstrap {st['bootstrap']} (seed {st['seed']})")
    for item in analysis.analyses.values():
        _print_report(item)
    _print_slices(analysis)


def cmd_fairness(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services import fairness as service  # pandas, numpy: on use
    from governance_app.store.fairness_codec import encode_analysis  # SQLAlchemy

    if args.model:
        if args.table:
            raise InputError(args.table, "give a TABLE or --model, not both",
                             expected="`fairness TABLE --label ...` or `fairness --model N:V`")
        name, version = parse_model_ref("--model", args.model)
        from governance_app.services.workspace import Workspace

        with Workspace.open(args.db) as workspace:
            results = service.fairness_results(workspace, name, version)
        if args.json:
            print_json([{"id": r.id, "model": r.model, "version": r.version,
                         "import_id": r.import_id, "created_at": r.created_at,
                         "settings_digest": r.settings_digest, **encode_analysis(r.analysis)}
                        for r in results])
            return 0
        if not results:
            print(f"no fairness results attached to {name}:{version}; import a prediction "
                  "table with `governance-app import TABLE --model NAME:VERSION --label ... "
                  "--sensitive ...`")
        for r in results:
            print(f"\n### {r.ref}  result #{r.id}, computed {local_time(r.created_at)}")
            _print_analysis(r.analysis)
        return 0
    if not args.table and not args.catalogue_table:
        raise InputError("fairness", "no prediction table given",
                         expected="TABLE with --label and --sensitive, or --model NAME:VERSION")
    analysis = service.analyse_file(
        args.table, label=args.label, sensitive=args.sensitive or "",
        prediction=args.prediction, score=args.score, threshold=args.threshold,
        reference=args.reference, bootstrap=args.bootstrap, seed=args.seed,
        min_group_size=args.min_group_size, convention=args.convention,
        features=[c for c in (args.features or "").split(",") if c], tau=args.tau,
        engine=args.engine, spark_master=args.spark_master, table=args.catalogue_table)
    if args.json:
        print_json(encode_analysis(analysis))
    else:
        _print_analysis(analysis)
    return 0


def cmd_slices(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services import fairness as service  # pandas, numpy: on use
    from governance_app.store.fairness_codec import encode_slices  # SQLAlchemy

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    report = service.find_slices_in_file(
        args.table, label=args.label, prediction=args.prediction, score=args.score,
        threshold=args.threshold, columns=columns, metric=args.metric,
        max_conditions=args.max_conditions, top_k=args.top, min_size=args.min_size,
        engine=args.engine, spark_master=args.spark_master)
    if args.json:
        print_json(encode_slices(report))
        return 0
    print(f"{args.table}: {report.metric} overall {number(report.overall_value)}; "
          f"{report.slices_tested} slices tested, Benjamini-Hochberg FDR {number(report.alpha)}")
    _slice_table(report)
    return 0


def _outcome_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--label", help="column of true labels (binary)")
    p.add_argument("--prediction", help="column of binary predictions")
    p.add_argument("--score", help="column of scores (with --threshold)")
    p.add_argument("--threshold", type=float, help="score at or above which it predicts 1")
    p.add_argument("--json", action="store_true", help="every number at full precision")


def register(verb: VerbFactory) -> dict[str, Verb]:
    """Add ``fairness`` and ``slices`` to the parser."""
    p = verb("fairness", "fairness of a prediction table (or the results stored for a version)",
             "governance-app fairness preds.csv --label y --prediction yhat --sensitive sex,age\n"
             "  governance-app fairness --model credit_default:4")
    p.add_argument("table", nargs="?", metavar="TABLE",
                   help="a .csv or .parquet file (a folder or glob of Parquet with duckdb/spark)")
    p.add_argument("--model", metavar="NAME:VERSION", help="print the results stored for it")
    _outcome_options(p)
    p.add_argument("--sensitive", help="sensitive attribute columns, comma-separated")
    p.add_argument("--reference", help="reference group (one value per attribute, '|'-joined); "
                   "default the largest group")
    p.add_argument("--bootstrap", type=int, default=200, metavar="N",
                   help="bootstrap resamples for confidence intervals (0: none; default 200)")
    p.add_argument("--seed", type=int, default=20261125, help="bootstrap seed")
    p.add_argument("--min-group-size", type=int, default=DEFAULT_MIN_GROUP_SIZE,
                   help="smaller groups are flagged, not ranked or judged")
    p.add_argument("--convention", choices=("strict", "fairlearn"), default="strict",
                   help="undefined rates: stay undefined (strict) or count as 0 (fairlearn)")
    p.add_argument("--tau", type=float, default=0.8, help="parity threshold (default 0.8)")
    p.add_argument("--features", help="columns for the slice finder, comma-separated")
    add_engine_options(p, table=True)
    p = verb("slices", "the slices of a prediction table where the model does worst",
             "governance-app slices preds.csv --label y --prediction yhat --metric fnr")
    p.add_argument("table", metavar="TABLE", help="a .csv or .parquet file")
    _outcome_options(p)
    p.add_argument("--columns", help="columns to slice on (default: all others)")
    p.add_argument("--metric", default="error_rate",
                   help="error_rate (default), false_positive_rate, false_negative_rate, ...")
    p.add_argument("--max-conditions", type=int, default=3, help="conditions per slice, 1-3")
    p.add_argument("--top", type=int, default=10, metavar="K", help="slices to show")
    p.add_argument("--min-size", type=int, default=50, help="smallest slice tested")
    add_engine_options(p)
    return {"fairness": Verb(cmd_fairness, needs_workspace=False),
            "slices": Verb(cmd_slices, needs_workspace=False)}
