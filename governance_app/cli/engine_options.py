"""``--engine``, ``--spark-master`` and ``--table``: where the rows are counted.

Shared by the verbs that read prediction or monitoring tables, so every verb offers the same
choice with the same words. Nothing heavy is imported here: ``--help`` stays fast.
"""

from __future__ import annotations

import argparse

ENGINE_CHOICES = ("auto", "memory", "duckdb", "spark")
ENGINE_HELP = ("where the rows are counted: memory (pandas), duckdb (embedded, out of core, "
               "files, folders and globs of Parquet), spark (a cluster; needs "
               "governance-app[spark] and Java 17); auto picks duckdb for folders, globs and "
               "files of 64 MiB or more, spark for --table (default auto)")


def add_engine_options(p: argparse.ArgumentParser, *, table: bool = False) -> None:
    """Add the engine options to a verb's parser (``--table`` too when ``table``)."""
    p.add_argument("--engine", choices=ENGINE_CHOICES, default="auto", help=ENGINE_HELP)
    p.add_argument("--spark-master", default="local[*]", metavar="URL",
                   help="Spark master for --engine spark (default local[*])")
    if table:
        p.add_argument("--table", metavar="DB.NAME", dest="catalogue_table",
                       help="a Spark catalogue table instead of a file (implies --engine spark "
                       "under auto)")
