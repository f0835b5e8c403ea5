"""The ``governance-app`` command: the one place that joins the two front ends.

The CLI is Qt-free and usable in CI; the window lives in ``governance_app.ui``. This
composition root hands the CLI a way to open the window, imported only when a verb asks for
one, so ``governance-app models`` never loads Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from governance_app import cli
from governance_app.gc_pause import tune_for_long_running, tune_for_one_command


def _run_gui(workspace_url: str) -> int:
    from governance_app.ui.app import run_gui

    tune_for_long_running()
    return run_gui(workspace_url)


def main(argv: Sequence[str] | None = None) -> int:
    """The process's one command (the collector tuned for that; the window's verbs undo it)."""
    tune_for_one_command()
    return cli.main(argv, run_gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
