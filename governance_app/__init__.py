"""governance_app: offline ML model governance — registry, lineage, fairness, drift, reviews."""

__version__ = "0.1.0"
