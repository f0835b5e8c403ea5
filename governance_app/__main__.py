"""``python -m governance_app`` runs the ``governance-app`` command."""

import sys

from governance_app.entry import main

sys.exit(main())
