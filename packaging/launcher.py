"""Frozen entry point: PyInstaller needs a script; this one runs one of the two commands.

The one-folder build has one executable, ``governance-app``, and ``packaging/build.sh`` links
``governance-app-gui`` to it, the name the desktop entry's ``Exec=`` runs (as the wheel's
``[project.gui-scripts]`` does). The executable answers to the name it was started by:

- ``governance-app <verb>``: the command line (``governance_app.entry:main``);
- ``governance-app-gui [--db URL]``: the window on the last workspace, or the welcome screen
  on a first start (``governance_app.ui.app:main``).
"""

import sys
from pathlib import Path

GUI_NAME = "governance-app-gui"


def main() -> int:
    if Path(sys.argv[0]).stem == GUI_NAME:  # .stem: governance-app-gui.exe on Windows
        from governance_app.ui.app import main as gui_main

        return gui_main()
    from governance_app.entry import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
