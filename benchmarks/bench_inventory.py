"""Benchmark: the model inventory of a large board (issue 19).

Target: an inventory of 5,000 models with 50,000 findings renders in ≤ 1 s and
``inventory --json`` answers in ≤ 1 s.

The workspace is built in a temporary folder: a bundle of N models (one version each) is
imported, a board is founded, the demo's risk policy adopted, and then one tier per model and M
findings are appended as signed acts made with the chair's unlocked key through ``make_act``
(a benchmark of reading, not of signing: the passphrase's scrypt would dominate otherwise).

Printed, each on its own line:
- the inventory rows from the replayed state (``services.risk.inventory`` with the state
  cached, as the window has it after its first load);
- the Inventory view filled with those rows (offscreen, ``show_data``);
- ``governance-app inventory --json`` as a whole new process, twice: cold (an empty replay
  cache: the chain is replayed from genesis, every act's signature checked) and warm (the
  state the first run saved in the cache folder is reused once the stored event at its head
  is shown to still hash to the head it was saved at).

Each line gives wall and CPU time: on a shared machine the wall time says more about the
neighbours than about the code, so the load average is printed too.

Usage: ``python benchmarks/bench_inventory.py [--models N] [--findings M] [--keep DIR]``
(full scale by default; building it takes a few minutes, ``--keep`` reuses a build).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from governance_app.governance import board_tables, keys
from governance_app.governance.acts import make_act
from governance_app.governance.audit import append_event, chain_head
from governance_app.governance.ledger import board_state, forget_cache
from governance_app.governance.risk_acts import FINDING_OPEN, TIER_ASSIGN
from governance_app.services import board, risk
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

TARGET_S = 1.0


def _bundle(path: Path, models: int) -> None:
    stamp = "2026-01-05T09:00:00.000Z"
    doc = {"format": "governance-app/bundle", "format_version": "1.0",
           "exported_at": stamp, "source": {"system": "bench_inventory"},
           "experiments": [{"name": "bench", "artifact_location": "s3://bench",
                            "created_at": stamp, "tags": {}}],
           "runs": [], "models": [
               {"name": f"model_{i:05d}", "description": "", "tags": {"owner": f"team {i % 40}"},
                "created_at": stamp, "versions": [
                    {"version": 1, "created_at": stamp, "user": "builder", "stage": "None",
                     "source": f"s3://bench/{i}", "tags": {}}]}
               for i in range(models)]}
    path.write_text(json.dumps(doc), encoding="utf-8")


def build(folder: Path, models: int, findings: int) -> str:
    url = f"sqlite:///{folder / 'inventory.db'}"
    bundle = folder / "bundle.json"
    _bundle(bundle, models)
    key = folder / "chair.key"
    with Workspace.open(url) as ws:
        import_path(ws, bundle)
        board.found(ws, "Chair", "pw", key_file=key, scrypt_n=keys.MIN_SCRYPT_N)
        policy = Path(str(resources.files("governance_app.resources").joinpath(
            "demo", "policies", "model-risk.yaml")))
        risk.adopt_risk_policy(ws, policy, "Chair", "pw", key)
        signer = board.unlock(board.member(ws, "Chair"), "pw", key)
        with ws.session(immediate=True) as session:
            root = board_state(session).root
            assert root is not None
            now = datetime.now(UTC)

            def append(kind: str, body: dict, model: str) -> None:
                head = chain_head(session)
                act = make_act(kind, body, board=root.board, root_version=root.version,
                               root_digest=root.digest, prev_seq=head.seq, prev_hash=head.hash,
                               signer=signer.fingerprint, signed_at=now, sign=signer.sign)
                append_event(session, kind, "Chair", f"model:{model}", act.as_payload(),
                             model=model, at=now)

            for i in range(models):
                name = f"model_{i:05d}"
                append(TIER_ASSIGN, {"model": name, "method": "set", "tier": 1 + i % 3,
                                     "rationale": "benchmark", "owner": "", "use": ""}, name)
            for j in range(findings):
                name = f"model_{j % models:05d}"
                append(FINDING_OPEN, {
                    "model": name, "version": 1, "type": "validation-issue",
                    "severity": ("low", "medium", "high")[j % 3], "title": f"finding {j}",
                    "description": "", "owner": "owner",
                    "due": (date.today() + timedelta(days=j % 120 - 60)).isoformat(),
                    "evidence": []}, name)
            forget_cache()
            state = board_state(session, fresh=True)
            assert not state.breaks, state.breaks[:3]
            board_tables.sync(session, state)
    return url


def _cli(url: str, cache: Path) -> tuple[float, float, int]:
    """``inventory --json`` as a new process with ``cache`` as its replay cache folder:
    wall time, CPU time (user + system of the child) and the number of models listed."""
    env = {**os.environ, "GOVERNANCE_APP_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "governance_app.entry", "--db", url,
                           "inventory", "--json"], capture_output=True, text=True, check=True,
                          env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, len(json.loads(done.stdout))


def _line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    verdict = "ok" if wall <= TARGET_S else "MISSED"
    print(f"{label:<44} {wall:6.3f} s wall {cpu:6.3f} s CPU   target ≤ {TARGET_S:.0f} s   "
          f"{verdict}{extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the workspace in DIR, or reuse the one built there before")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["GOVERNANCE_APP_CACHE_DIR"] = str(Path(tmp) / "cache-in-process")
        started = time.perf_counter()
        if (folder / "inventory.db").is_file() and args.keep:
            url = f"sqlite:///{folder / 'inventory.db'}"
            print(f"reusing the workspace in {folder}")
        else:
            url = build(folder, args.models, args.findings)
            print(f"built {args.models:,} models, {args.findings:,} findings in "
                  f"{time.perf_counter() - started:.1f} s")
        with Workspace.open(url) as ws:
            forget_cache()
            started, cpu = time.perf_counter(), time.process_time()
            rows = risk.inventory(ws)
            first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            rows = risk.inventory(ws)
            cached, cached_cpu = time.perf_counter() - started, time.process_time() - cpu
            findings = risk.list_findings(ws)
        print(f"{'inventory rows, first (replays the chain):':<44} {first:6.3f} s wall "
              f"{first_cpu:6.3f} s CPU")
        _line("inventory rows, state cached:", cached, cached_cpu, f"   ({len(rows):,} rows)")

        from PySide6.QtWidgets import QApplication

        from governance_app.ui.inventory_models import InventoryData
        from governance_app.ui.inventory_view import InventoryPanel
        from governance_app.ui.selection import Selection
        from governance_app.ui.views import ViewContext
        from governance_app.ui.workers import TaskRunner

        app = QApplication.instance() or QApplication(sys.argv)
        with Workspace.open(url) as ws:
            runner = TaskRunner()
            panel = InventoryPanel(ViewContext(ws, Selection(), runner, lambda: None,
                                               lambda _n: None))
            panel._loaded = True  # filled below, not by its worker
            panel.resize(1280, 800)
            panel.show()
            app.processEvents()
            started, cpu = time.perf_counter(), time.process_time()
            panel.show_data(InventoryData(rows, findings, date.today()))
            app.processEvents()
            shown, shown_cpu = time.perf_counter() - started, time.process_time() - cpu
            panel.close()
            runner.shutdown()
        _line("Inventory view filled:", shown, shown_cpu)

        cache = Path(tmp) / "cache-cli"
        acts = args.models + args.findings + 2
        wall, cpu, listed = _cli(url, cache)
        _line("inventory --json, new process, no cache:", wall, cpu,
              f"   ({listed:,} models; replays {acts:,} signed acts)")
        wall, cpu, listed = _cli(url, cache)
        _line("inventory --json, new process, cached:", wall, cpu,
              f"   ({listed:,} models; checks the stored head, replays none)")
    print(f"load average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
