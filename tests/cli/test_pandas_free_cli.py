"""``governance-app drift`` and ``fairness`` on Parquet never start pandas (issue 15's speed).

Most of the whole-process time of these verbs was starting pandas; on Parquet files of plain
types they now read the tables straight into numpy (``engines.parquet_columns``). These
tests run the real command in a fresh interpreter and look at its ``sys.modules``; the
figures themselves are ``benchmarks/bench_drift_cli.py`` and ``bench_fairness_cli.py``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
NOT_LOADED = ("pandas", "sqlalchemy", "matplotlib", "scipy", "reportlab", "duckdb")


def _run(argv: list[str]) -> tuple[dict, dict[str, bool]]:
    """The command's JSON answer and which of NOT_LOADED it imported."""
    probe = textwrap.dedent(f"""
        import contextlib, io, json, sys
        from governance_app.entry import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main({argv!r})
        print(json.dumps({{"code": code, "answer": json.loads(out.getvalue()),
                          "loaded": {{m: m in sys.modules for m in {NOT_LOADED!r}}}}}))
    """)
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0
    return found["answer"], found["loaded"]


def _tables(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(11)
    paths = []
    for name, shift in (("reference", 0.0), ("current", 0.5)):
        rows = 3000
        path = folder / f"{name}.parquet"
        pq.write_table(pa.table({
            "x": rng.normal(shift, 1, rows),
            "n": rng.integers(0, 9, rows),
            "city": rng.choice(["Lyon", "Graz", "Kyiv"], rows),
            "ok": rng.random(rows) < 0.5,
            "label": (rng.random(rows) < 0.4).astype(np.int8),
            "prediction": (rng.random(rows) < 0.4 + shift / 5).astype(np.int8),
        }), path)
        paths.append(path)
    return paths[0], paths[1]


def test_drift_on_parquet_does_not_import_pandas(tmp_path: Path) -> None:
    reference, current = _tables(tmp_path)
    answer, loaded = _run(["drift", "--reference", str(reference), "--current", str(current),
                           "--json"])
    assert [c["column"] for c in answer["columns"]] == ["x", "n", "city", "ok", "label",
                                                         "prediction"]
    assert next(c for c in answer["columns"] if c["column"] == "x")["drifted"] is True
    assert [name for name, present in loaded.items() if present] == []


def test_fairness_on_parquet_does_not_import_pandas(tmp_path: Path) -> None:
    table, _ = _tables(tmp_path)
    answer, loaded = _run(["fairness", str(table), "--label", "label", "--prediction",
                           "prediction", "--sensitive", "city,ok", "--bootstrap", "0",
                           "--json"])
    assert answer["row_count"] == 3000
    assert answer["schema"]["city"] in ("str", "object")
    assert [name for name, present in loaded.items() if present] == []


def test_an_analysis_verb_registers_only_its_own_module() -> None:
    """``drift``/``fairness`` build a parser of their module's verbs only; each verb of
    VERB_HOMES is really registered by the module named for it, with the full parser's
    handler, and a command line that names no such verb gets every verb."""
    from governance_app import cli

    full = cli.build_parser()
    handlers = {name: cli.VERBS[name].handler for name in cli.VERB_HOMES}
    choices = next(a for a in full._actions if a.dest == "verb").choices
    for verb, home in cli.VERB_HOMES.items():
        partial = cli.build_parser([verb, "--help"])
        verbs = next(a for a in partial._actions if a.dest == "verb").choices
        assert verb in verbs and "review" not in verbs and len(verbs) < len(choices)
        assert cli.VERBS[verb].handler is handlers[verb]
        assert cli.VERBS[verb].handler.__module__ == f"governance_app.cli.{home}"
    for argv in (["--help"], ["--db", "drift", "models"], ["review", "list"], []):
        named = next(a for a in cli.build_parser(argv)._actions if a.dest == "verb").choices
        assert set(named) == set(choices)
