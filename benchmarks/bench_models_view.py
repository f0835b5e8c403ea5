"""Benchmark: time from opening a workspace to a Models view with its models listed.

Run on the workspace ``bench_import.py`` leaves behind (10,000 runs, 200 models × 50
versions) to check issue 2's figure: the Models view opens in under 1 s.

    python benchmarks/bench_models_view.py /tmp/gov-bench-full/bench.db

Offscreen; prints the time to a shown main window and to the populated models table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", help="SQLite file or database URL")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from governance_app.services.workspace import Workspace
    from governance_app.ui.main_window import MainWindow
    from governance_app.ui.models_view import ModelsPanel

    app = QApplication.instance() or QApplication(sys.argv)
    start = time.perf_counter()
    workspace = Workspace.open(args.workspace)
    window = MainWindow(workspace)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - start
    panel = window.findChild(ModelsPanel)
    listed = len(panel.summaries()) if panel else 0
    populated = time.perf_counter() - start
    QThreadPool.globalInstance().waitForDone(30_000)
    verdict = "ok" if populated < TARGET_S else "MISSED"
    print(f"window shown:       {shown:6.3f} s")
    print(f"models listed:      {populated:6.3f} s   target < {TARGET_S:.0f} s   {verdict}"
          f"   ({listed} models)")
    window.close()
    workspace.close()
    return 0 if populated < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
