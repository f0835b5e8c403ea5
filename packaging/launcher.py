"""Frozen entry point: PyInstaller needs a script; this one runs ``governance_app.entry:main``."""

import sys

from governance_app.entry import main

if __name__ == "__main__":
    sys.exit(main())
