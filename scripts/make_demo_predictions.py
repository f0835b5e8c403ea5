"""Write the demo's prediction tables for credit_default v3 and v4 (seeded, reproducible).

Synthetic credit applicants with a label (default within a year), the model's score and its
thresholded prediction, and sensitive and other attributes. Built so the Fairness view has
something true to show:

* ``sex``: v3 under-selects women (a visible but plausible gap in true positive rate and
  selection rate); v4 narrows it.
* ``region``: "Islands" has about a dozen rows, below the minimum group size (flagged).
* a weak slice: self-employed applicants with a low income band get noisier scores, so the
  slice finder reports ``employment = self-employed ∧ income_band = low``.

Run: ``.venv/bin/python scripts/make_demo_predictions.py`` (writes
``resources/demo/fairness/credit_default_v3.parquet`` and ``_v4.parquet``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "fairness"
ROWS = 4000
THRESHOLD = 0.5


def make(version: int, rows: int = ROWS) -> pd.DataFrame:
    """One version's prediction table; the seed depends only on the version."""
    rng = np.random.default_rng(1000 + version)
    sex = rng.choice(["female", "male"], rows, p=[0.46, 0.54])
    age_group = rng.choice(["18-25", "26-40", "41-60", "60+"], rows, p=[0.17, 0.38, 0.32, 0.13])
    region = rng.choice(["North", "South", "East", "West", "Islands"], rows,
                        p=[0.3, 0.27, 0.22, 0.2075, 0.0025])
    income_band = rng.choice(["low", "middle", "high"], rows, p=[0.3, 0.5, 0.2])
    employment = rng.choice(["employed", "self-employed", "unemployed", "retired"], rows,
                            p=[0.62, 0.16, 0.08, 0.14])
    tenure = np.round(rng.gamma(2.0, 3.0, rows), 1)
    amount = np.round(rng.lognormal(9.3, 0.6, rows), -1)
    risk = (-1.3 + 0.9 * (income_band == "low") - 0.6 * (income_band == "high")
            + 0.8 * (employment == "unemployed") + 0.35 * (age_group == "18-25")
            - 0.05 * tenure + 0.25 * np.log(amount / 10_000) + rng.normal(0, 0.9, rows))
    label = (rng.random(rows) < 1 / (1 + np.exp(-risk))).astype(int)
    noise = np.where((employment == "self-employed") & (income_band == "low"), 2.6, 0.75)
    bias = {3: -0.75, 4: -0.25}[version] * (sex == "female")
    logit = risk + bias + rng.normal(0, noise, rows) * (0.9 if version == 4 else 1.0)
    score = np.round(1 / (1 + np.exp(-(logit + 0.9 * (label - 0.5)))), 6)
    return pd.DataFrame({
        "applicant_id": np.arange(1, rows + 1) + 100_000 * version,
        "label": label, "score": score, "prediction": (score >= THRESHOLD).astype(int),
        "sex": sex, "age_group": age_group, "region": region, "income_band": income_band,
        "employment": employment, "tenure_years": tenure, "loan_amount": amount,
    })


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for version in (3, 4):
        frame = make(version)
        target = OUT / f"credit_default_v{version}.parquet"
        frame.to_parquet(target, engine="pyarrow", index=False, compression="zstd")
        print(f"{target}: {len(frame)} rows, "
              f"{int((frame.region == 'Islands').sum())} in region Islands")


if __name__ == "__main__":
    main()
