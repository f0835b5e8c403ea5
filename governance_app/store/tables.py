"""Every table module of the workspace, imported so that ``Base.metadata`` is complete.

Migrations (``migrations/env.py``) and the "migrations == ORM" test compare against this
metadata; a capability that adds tables adds its module here.
"""

from __future__ import annotations

from governance_app.store import schema  # noqa: F401  registry: imports, runs, models
from governance_app.store.schema import Base

metadata = Base.metadata
