"""Every table module of the workspace, imported so that ``Base.metadata`` is complete.

Migrations (``migrations/env.py``) and the "migrations == ORM" test compare against this
metadata; a capability that adds tables adds its module here.
"""

from __future__ import annotations

from governance_app.store import (  # noqa: F401  imported for their tables
    schema,  # registry: imports, runs, models
    schema_cloud,  # version origins, external decisions and evaluations
    schema_drift,  # drift results
    schema_fairness,  # fairness results
    schema_governance,  # members, policies, reviews, signatures, audit
    schema_lineage,  # lineage nodes and edges
    schema_model_cards,  # model cards and written card text
    schema_risk,  # risk policies, tiers, findings, approval terms
)
from governance_app.store.schema import Base

metadata = Base.metadata
