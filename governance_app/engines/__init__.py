"""Engines that reduce rows to sufficient statistics where the rows are (DuckDB, Spark)."""
