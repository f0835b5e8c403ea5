"""Write the demo's OpenLineage events (``resources/demo/lineage/events.jsonl``).

The story matches the demo registry (``resources/demo/registry.json``) so the two sources join
into one graph: Meridian's monthly credit-risk pipeline reads raw loan applications, repayments
and a credit-bureau extract, builds a feature table, cuts a training set per month (the very
``s3://meridian-lake/…/train.parquet`` files the registry's runs logged as inputs), and trains
``credit_default``. Training runs use the registry's run ids (as hyphenated UUIDs) and write the
dataset ``mlflow://registry`` ``models/credit_default/<version>``, so each is the registry's
version node. September's retrain FAILS, as it did in the registry. Downstream, a nightly
scoring job consumes the champion (version 3) and feeds a BI dashboard; a small fraud chain
reads a Kafka topic. Schema facets sit on the tables, column-lineage facets on the feature
table and the scores, a SQL facet on the feature job.

Deterministic: fixed seed and times from the registry, sorted keys, so the committed file only
changes when this script does. Usage: ``python scripts/make_demo_lineage.py [OUT]``
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20261125
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "resources" / "demo" / "lineage" / "events.jsonl"
REGISTRY = ROOT / "resources" / "demo" / "registry.json"
PRODUCER = "https://governance-app.example/scripts/make_demo_lineage.py/0.1.0"
SPEC = "https://openlineage.io/spec"
EVENT_SCHEMA = f"{SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent"
JOBS_NS = "meridian-airflow"
CORE = "postgres://meridian-core:5432"
LAKE = "s3://meridian-lake"
DW = "warehouse://meridian-dw"
REGISTRY_NS = "mlflow://registry"
MONTHS = {"2026-03": 2, "2026-05": 3, "2026-07": 4, "2026-09": None}
"""Training month → the credit_default version it produced (None: the run failed)."""

APPLICATIONS = ("lending.loan_applications", [("applicant_id", "bigint"), ("income", "numeric"),
                ("monthly_debt", "numeric"), ("loan_amount", "numeric"), ("sex", "text"),
                ("age", "integer"), ("applied_at", "timestamp")])
REPAYMENTS = ("lending.repayments", [("applicant_id", "bigint"), ("due_date", "date"),
              ("days_past_due", "integer")])
BUREAU = ("raw/bureau/credit_bureau_extract.csv", [("applicant_id", "string"),
          ("bureau_score", "integer"), ("open_accounts", "integer")])
FEATURES = ("features.credit_default_v3", [("applicant_id", "bigint"), ("debt_to_income", "double"),
            ("delinquencies_12m", "integer"), ("bureau_score", "integer"), ("age", "integer"),
            ("sex", "string")])
SCORES = ("scores.credit_default_daily", [("applicant_id", "bigint"),
          ("default_probability", "double"), ("model_version", "string"),
          ("scored_at", "timestamp")])


def _facet(name: str, version: str, **fields: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER,
            "_schemaURL": f"{SPEC}/facets/{version}/{name}.json#/$defs/{name}", **fields}


def _schema(columns: list[tuple[str, str]]) -> dict[str, Any]:
    return {"schema": _facet("SchemaDatasetFacet", "1-1-1",
                             fields=[{"name": n, "type": t} for n, t in columns])}


def _column_lineage(fields: dict[str, list[tuple[str, str, str]]]) -> dict[str, Any]:
    return {"columnLineage": _facet("ColumnLineageDatasetFacet", "1-2-0", fields={
        out: {"inputFields": [{"namespace": ns, "name": name, "field": field,
                               "transformations": []} for ns, name, field in inputs]}
        for out, inputs in fields.items()
    })}


def _ds(namespace: str, name: str, facets: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "facets": facets or {}}


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Writer:
    """Collects the START and terminal event of each run, in time order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[dict[str, Any]] = []

    def run_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def run(self, job: str, run_id: str, start: datetime, end: datetime, *,
            inputs: list[dict[str, Any]], outputs: list[dict[str, Any]],
            state: str = "COMPLETE", parent: tuple[str, str] | None = None,
            job_facets: dict[str, Any] | None = None,
            run_facets: dict[str, Any] | None = None, error: str | None = None) -> None:
        facets = dict(run_facets or {})
        if parent is not None:
            facets["parent"] = _facet("ParentRunFacet", "1-1-0", run={"runId": parent[0]},
                                      job={"namespace": JOBS_NS, "name": parent[1]})
        job_obj = {"namespace": JOBS_NS, "name": job, "facets": job_facets or {}}
        base = {"producer": PRODUCER, "schemaURL": EVENT_SCHEMA, "job": job_obj}
        self.events.append({**base, "eventType": "START", "eventTime": _time(start),
                            "run": {"runId": run_id, "facets": facets}, "inputs": inputs,
                            "outputs": []})
        end_facets = dict(facets)
        if error:
            end_facets["errorMessage"] = _facet("ErrorMessageRunFacet", "1-0-1",
                                                message=error, programmingLanguage="python")
        self.events.append({**base, "eventType": state, "eventTime": _time(end),
                            "run": {"runId": run_id, "facets": end_facets},
                            "inputs": inputs, "outputs": outputs})


def _registry_runs() -> dict[str, dict[str, Any]]:
    data = json.loads(REGISTRY.read_text(encoding="utf-8"))
    return {r["name"]: r for r in data["runs"]}


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def credit_pipeline(w: Writer, runs: dict[str, dict[str, Any]]) -> None:
    """Four monthly pipeline runs: features → training set → training (September fails)."""
    by_month = {r["inputs"][0]["source"].split("/")[-2]: r for n, r in runs.items()
                if n.startswith("credit_default-") and r["inputs"]}
    raw_inputs = [_ds(CORE, APPLICATIONS[0], _schema(APPLICATIONS[1])),
                  _ds(CORE, REPAYMENTS[0], _schema(REPAYMENTS[1])),
                  _ds(LAKE, BUREAU[0], _schema(BUREAU[1]))]
    features = _ds(DW, FEATURES[0], {**_schema(FEATURES[1]), **_column_lineage({
        "applicant_id": [(CORE, APPLICATIONS[0], "applicant_id")],
        "debt_to_income": [(CORE, APPLICATIONS[0], "monthly_debt"),
                           (CORE, APPLICATIONS[0], "income")],
        "delinquencies_12m": [(CORE, REPAYMENTS[0], "days_past_due")],
        "bureau_score": [(LAKE, BUREAU[0], "bureau_score")],
        "age": [(CORE, APPLICATIONS[0], "age")],
        "sex": [(CORE, APPLICATIONS[0], "sex")],
    })})
    sql = {"sql": _facet("SQLJobFacet", "1-1-0", query=(
        "INSERT OVERWRITE features.credit_default_v3 SELECT a.applicant_id, a.monthly_debt / "
        "NULLIF(a.income, 0) AS debt_to_income, count_if(r.days_past_due > 30) AS "
        "delinquencies_12m, b.bureau_score, a.age, a.sex FROM lending.loan_applications a "
        "JOIN lending.repayments r USING (applicant_id) JOIN bureau b USING (applicant_id) "
        "GROUP BY 1, 2, 4, 5, 6"))}
    for month, version in MONTHS.items():
        train_run = by_month[month]
        t0, t1 = _parse(train_run["start_time"]), _parse(train_run["end_time"])
        dag = ("credit_risk.monthly_pipeline", w.run_id())
        feat_start = t0 - timedelta(hours=3, minutes=w.rng.randint(0, 40))
        feat_end = feat_start + timedelta(minutes=w.rng.randint(35, 70))
        w.run("credit_risk.build_features", w.run_id(), feat_start, feat_end,
              inputs=raw_inputs, outputs=[features], parent=(dag[1], dag[0]), job_facets=sql)
        cut_start = feat_end + timedelta(minutes=w.rng.randint(3, 15))
        cut_end = cut_start + timedelta(minutes=w.rng.randint(8, 25))
        train_set = _ds(LAKE, f"lending/credit_default/{month}/train.parquet",
                        _schema([*FEATURES[1], ("defaulted_12m", "boolean")]))
        w.run("credit_risk.make_training_set", w.run_id(), cut_start, cut_end,
              inputs=[_ds(DW, FEATURES[0])], outputs=[train_set], parent=(dag[1], dag[0]))
        outputs = [] if version is None else [_ds(REGISTRY_NS, f"models/credit_default/{version}")]
        mlflow = {"mlflow_run": {"_producer": PRODUCER, "_schemaURL":
                                 "https://governance-app.example/facets/MlflowRunFacet.json",
                                 "runId": train_run["run_id"], "runName": train_run["name"],
                                 "experiment": train_run["experiment"]}}
        error = None if version is not None else (
            "ValueError: training set lending/credit_default/2026-09/train.parquet has 0 rows "
            "for segment 'SME' after the delinquency filter")
        w.run("credit_risk.train_credit_default", str(uuid.UUID(hex=train_run["run_id"])), t0, t1,
              inputs=[_ds(LAKE, train_set["name"])], outputs=outputs,
              state="COMPLETE" if version is not None else "FAIL",
              parent=(dag[1], dag[0]), run_facets=mlflow, error=error)
        w.run(dag[0], dag[1], feat_start - timedelta(minutes=2), t1 + timedelta(minutes=1),
              inputs=[], outputs=[], state="COMPLETE" if version is not None else "FAIL")


def downstream(w: Writer) -> None:
    """The champion (version 3) scores the book nightly; the scores feed a dashboard."""
    start = datetime(2026, 7, 20, 1, 15, tzinfo=UTC)
    scores = _ds(DW, SCORES[0], {**_schema(SCORES[1]), **_column_lineage({
        "applicant_id": [(DW, FEATURES[0], "applicant_id")],
        "default_probability": [(DW, FEATURES[0], "debt_to_income"),
                                (DW, FEATURES[0], "delinquencies_12m"),
                                (DW, FEATURES[0], "bureau_score")],
    })})
    w.run("credit_risk.score_nightly", w.run_id(), start, start + timedelta(minutes=22),
          inputs=[_ds(REGISTRY_NS, "models/credit_default/3"), _ds(DW, FEATURES[0])],
          outputs=[scores])
    later = start + timedelta(hours=5)
    w.run("reporting.refresh_risk_dashboard", w.run_id(), later, later + timedelta(minutes=4),
          inputs=[_ds(DW, SCORES[0])],
          outputs=[_ds("bi://meridian-looker", "dashboards/credit-risk-overview")])


def fraud_chain(w: Writer, runs: dict[str, dict[str, Any]]) -> None:
    """Card transactions from Kafka → April training set → fraud_detector version 2."""
    train_run = runs["fraud_detector-retrain-02"]
    t0, t1 = _parse(train_run["start_time"]), _parse(train_run["end_time"])
    train_set = "fraud/fraud_detector/2026-04/train.parquet"
    w.run("fraud.build_training_set", w.run_id(), t0 - timedelta(hours=2), t0 - timedelta(hours=1),
          inputs=[_ds("kafka://meridian-events:9092", "card.transactions.v2")],
          outputs=[_ds(LAKE, train_set)])
    w.run("fraud.train_fraud_detector", str(uuid.UUID(hex=train_run["run_id"])), t0, t1,
          inputs=[_ds(LAKE, train_set)],
          outputs=[_ds(REGISTRY_NS, "models/fraud_detector/2")])


def build() -> list[dict[str, Any]]:
    w = Writer(random.Random(SEED))
    runs = _registry_runs()
    credit_pipeline(w, runs)
    downstream(w)
    fraud_chain(w, runs)
    return sorted(w.events, key=lambda e: (e["eventTime"], e["eventType"] != "START"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    out = parser.parse_args().out
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e, sort_keys=True, ensure_ascii=False) for e in build()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} events to {out}")


if __name__ == "__main__":
    main()
