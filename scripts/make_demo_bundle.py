"""Write the demo registry (``resources/demo/registry.json``) in our bundle format.

The demo is what a new user sees first, so it shows the Models view at its best: models of a
lending, fraud and health organisation with champions and challengers, owners, a non-ASCII
description, learning curves, fairness metrics, datasets and a couple of failed runs. It is
generated rather than hand-written so that it stays consistent (every alias points at a version,
every version at a run) and deterministic: a fixed seed and fixed dates give the same bytes on
every run, and sorted keys keep diffs of the committed file readable.

Usage: ``python scripts/make_demo_bundle.py [OUT]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20260314
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "registry.json"
LAKE = "s3://meridian-lake"
WAREHOUSE = "warehouse://meridian-dw.analytics"


@dataclass(frozen=True)
class ModelPlan:
    """How one registered model of the demo looks: its versions and where they stand."""

    name: str
    experiment: str
    description: str
    owner: str
    team: str
    tags: dict[str, str]
    stages: tuple[str, ...]
    """Stage of version 1, 2, …"""
    aliases: dict[str, int]
    first_month: int
    task: str
    """"classification" or "regression": which metrics its runs log."""
    failed_runs: int = 0

    @property
    def data_path(self) -> str:
        """Folder of the model's data in the lake."""
        return f"{self.tags.get('domain', 'misc')}/{self.name}"


EXPERIMENTS = {
    "credit-risk": ("Consumer lending: default and pricing models", "credit-risk"),
    "customer-risk": ("Card fraud and retention models", "customer-analytics"),
    "patient-outcomes": ("Hospital readmission models (de-identified data)", "clinical-ml"),
}

PLANS = (
    ModelPlan(
        "credit_default",
        "credit-risk",
        "Probability that a consumer loan defaults within 12 months of origination. Scored "
        "nightly for the whole book; owned by Zoë Ångström's credit-risk team (Malmö).",
        "Zoë Ångström",
        "credit-risk",
        {"tier": "1", "regulation": "EU AI Act high-risk; SR 11-7", "domain": "lending"},
        ("Archived", "Archived", "Production", "Staging"),
        {"champion": 3, "challenger": 4},
        1,
        "classification",
        failed_runs=1,
    ),
    ModelPlan(
        "fraud_detector",
        "customer-risk",
        "Real-time card-not-present fraud score (0–1) used to hold transactions for review.",
        "Amara Okafor",
        "payments-risk",
        {"tier": "1", "domain": "fraud", "latency_budget_ms": "40"},
        ("Archived", "Production", "None"),
        {"champion": 2},
        2,
        "classification",
        failed_runs=1,
    ),
    ModelPlan(
        "churn_propensity",
        "customer-risk",
        "Likelihood that a current-account customer closes the account in the next 90 days.",
        "Li Wei",
        "customer-analytics",
        {"tier": "3", "domain": "marketing"},
        ("Production", "Staging"),
        {"champion": 1, "challenger": 2},
        4,
        "classification",
    ),
    ModelPlan(
        "readmission_risk",
        "patient-outcomes",
        "30-day unplanned readmission risk at discharge, for care-coordination outreach. "
        "Trained on de-identified records; sensitive attributes are used for fairness checks only.",
        "Dr. Priya Natarajan",
        "clinical-ml",
        {"tier": "1", "domain": "health", "pii": "de-identified"},
        ("Archived", "Production", "Staging"),
        {"champion": 2, "challenger": 3},
        3,
        "classification",
    ),
    ModelPlan(
        "loan_pricing",
        "credit-risk",
        "Risk-based interest-rate margin (basis points) offered on unsecured personal loans.",
        "Jonas Berg",
        "credit-risk",
        {"tier": "2", "domain": "lending"},
        ("Production", "None"),
        {"champion": 1},
        6,
        "regression",
    ),
)

USERS = ("zoe.angstrom", "amara.okafor", "li.wei", "priya.natarajan", "jonas.berg", "sam.ruiz")


def stamp(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``, as the bundle format asks."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def params(rng: random.Random, plan: ModelPlan, attempt: int) -> dict[str, str]:
    """Hyper-parameters of a gradient-boosted model: 6–12 of them, values as strings."""
    out = {
        "algorithm": "lightgbm" if plan.task == "classification" else "xgboost",
        "learning_rate": f"{rng.choice([0.01, 0.02, 0.03, 0.05, 0.1]):.2f}",
        "max_depth": str(rng.randint(3, 9)),
        "n_estimators": str(rng.choice([200, 400, 600, 800, 1200])),
        "subsample": f"{rng.uniform(0.6, 1.0):.2f}",
        "feature_set": f"{plan.name}-features-v{attempt + 1}",
    }
    extra = {
        "colsample_bytree": f"{rng.uniform(0.5, 1.0):.2f}",
        "min_child_weight": str(rng.randint(1, 20)),
        "reg_lambda": f"{rng.uniform(0.0, 5.0):.2f}",
        "seed": str(rng.randint(1, 9999)),
        "class_weight": rng.choice(["balanced", "none"]),
        "calibration": rng.choice(["isotonic", "platt", "none"]),
    }
    for key in rng.sample(sorted(extra), rng.randint(0, len(extra))):
        out[key] = extra[key]
    return out


def curve(start: float, end: float, steps: int, rate: float, noise: float, rng: random.Random):
    """A saturating learning curve from ``start`` towards ``end`` with a little noise."""
    return [end + (start - end) * math.exp(-rate * s) + rng.gauss(0.0, noise) for s in range(steps)]


def metrics(
    rng: random.Random, plan: ModelPlan, quality: float, started: datetime, failed: bool
) -> tuple[dict[str, list[dict[str, Any]]], datetime]:
    """Metric histories of one run; ``quality`` in [0, 1] moves the final values up."""
    steps = rng.randint(20, 60)
    rate = rng.uniform(0.08, 0.2)
    if plan.task == "classification":
        final_auc = 0.74 + 0.12 * quality
        series = {
            "train_auc": curve(0.55, final_auc + 0.03, steps, rate, 0.002, rng),
            "val_auc": curve(0.52, final_auc, steps, rate, 0.004, rng),
            "val_logloss": curve(0.69, 0.52 - 0.12 * quality, steps, rate, 0.004, rng),
            "precision": curve(0.30, 0.55 + 0.2 * quality, steps, rate, 0.01, rng),
            "recall": curve(0.20, 0.50 + 0.2 * quality, steps, rate, 0.01, rng),
            "demographic_parity_ratio": curve(
                0.70, 0.78 + 0.12 * quality, steps, rate * 0.7, 0.006, rng
            ),
        }
        keep = 6 if plan.name in ("credit_default", "readmission_risk") else rng.randint(4, 6)
        series = dict(list(series.items())[:keep])
    else:
        series = {
            "train_rmse": curve(120.0, 38.0 - 10 * quality, steps, rate, 0.6, rng),
            "val_rmse": curve(125.0, 45.0 - 10 * quality, steps, rate, 0.8, rng),
            "val_mae": curve(95.0, 31.0 - 8 * quality, steps, rate, 0.6, rng),
            "demographic_parity_ratio": curve(0.75, 0.85 + 0.08 * quality, steps, rate, 0.005, rng),
        }
    if failed:  # diverged: the loss climbs over the last third, then the job died
        loss = "val_logloss" if "val_logloss" in series else "val_rmse"
        third = steps * 2 // 3
        series[loss] = [v * (1.0 + 0.08 * max(0, s - third)) for s, v in enumerate(series[loss])]
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in series}
    moment = started + timedelta(seconds=rng.randint(20, 90))
    for step in range(steps):
        moment += timedelta(seconds=rng.randint(30, 150), milliseconds=rng.randint(0, 999))
        for key, values in series.items():
            value = values[step]
            if key.endswith(("auc", "ratio", "precision", "recall")):
                value = min(value, 0.999)
            out[key].append({"step": step, "timestamp": stamp(moment), "value": round(value, 6)})
    return out, moment


def inputs(plan: ModelPlan, month: int) -> list[dict[str, str]]:
    train = f"{plan.name}-train-2026-{month:02d}"
    holdout = f"{plan.name}-holdout-2026-{month:02d}"
    return [
        {
            "name": train,
            "digest": digest(train),
            "source_type": "s3",
            "source": f"{LAKE}/{plan.data_path}/2026-{month:02d}/train.parquet",
            "context": "training",
        },
        {
            "name": holdout,
            "digest": digest(holdout),
            "source_type": "warehouse",
            "source": f"{WAREHOUSE}.{plan.name}_holdout@2026-{month:02d}-28",
            "context": "evaluation",
        },
    ]


def build(seed: int = SEED) -> dict[str, Any]:
    """The whole demo bundle as a JSON-able dict."""
    rng = random.Random(seed)
    experiments = [
        {
            "name": name,
            "artifact_location": f"{LAKE}/mlartifacts/{name}",
            "created_at": stamp(datetime(2026, 1, 5, 8, 30, tzinfo=UTC) + timedelta(days=i)),
            "tags": {"team": team, "purpose": purpose},
        }
        for i, (name, (purpose, team)) in enumerate(EXPERIMENTS.items())
    ]
    runs: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    for plan in PLANS:
        versions = []
        attempts = len(plan.stages) + plan.failed_runs
        failed_at = set(rng.sample(range(1, attempts), plan.failed_runs))
        version = 0
        for attempt in range(attempts):
            month = min(12, plan.first_month + attempt * 2)
            started = datetime(2026, month, rng.randint(1, 25), rng.randint(7, 18), tzinfo=UTC)
            started += timedelta(minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
            failed = attempt in failed_at
            quality = min(1.0, (version + 1) / len(plan.stages) + rng.uniform(-0.05, 0.05))
            history, ended = metrics(rng, plan, quality, started, failed)
            rid = run_id(rng)
            user = rng.choice(USERS)
            runs.append(
                {
                    "run_id": rid,
                    "experiment": plan.experiment,
                    "name": f"{plan.name}-{'retrain' if attempt else 'baseline'}-{attempt + 1:02d}",
                    "user": user,
                    "status": "FAILED" if failed else "FINISHED",
                    "start_time": stamp(started),
                    "end_time": stamp(ended + timedelta(seconds=rng.randint(5, 60))),
                    "artifact_uri": f"{LAKE}/mlartifacts/{plan.experiment}/{rid}/artifacts",
                    "params": params(rng, plan, attempt),
                    "tags": {
                        "git_commit": digest(rid)[:12],
                        "compute": rng.choice(["gpu-a10", "cpu-32"]),
                    },
                    "metrics": history,
                    "inputs": inputs(plan, month),
                }
            )
            if failed:
                continue
            version += 1
            created = ended + timedelta(hours=rng.randint(1, 48))
            stage = plan.stages[version - 1]
            updated = created + timedelta(days=rng.randint(2, 20)) if stage != "None" else created
            versions.append(
                {
                    "version": version,
                    "stage": stage,
                    "description": f"Retrained on data up to 2026-{month:02d}"
                    if version > 1
                    else "First governed version",
                    "source": f"runs:/{rid}/model",
                    "run_id": rid,
                    "status": "READY",
                    "user": user,
                    "created_at": stamp(created),
                    "updated_at": stamp(updated),
                    "tags": {
                        "validated": "true" if stage in ("Production", "Staging") else "false",
                        "fairness_review": "passed" if stage == "Production" else "pending",
                    },
                }
            )
        models.append(
            {
                "name": plan.name,
                "description": plan.description,
                "tags": {"owner": plan.owner, "team": plan.team, **plan.tags},
                "aliases": dict(plan.aliases),
                "created_at": versions[0]["created_at"],
                "updated_at": max(v["updated_at"] for v in versions),
                "versions": versions,
            }
        )
    return {
        "format": "governance-app/bundle",
        "format_version": "1.0",
        "exported_at": "2026-12-15T17:00:00+01:00",
        "source": {
            "system": "meridian-model-hub 4.2 (demo)",
            "uri": "https://models.meridian.example",
        },
        "experiments": experiments,
        "runs": runs,
        "models": models,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text = json.dumps(build(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
