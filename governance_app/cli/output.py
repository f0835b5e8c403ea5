"""How the CLI prints: aligned tables for people, JSON for machines, times in the local zone."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any, TextIO


def local_time(moment: datetime | None) -> str:
    """UTC instant shown in the user's zone, with the zone named ("2026-11-24 10:42 CET")."""
    if moment is None:
        return "—"
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def number(value: float | None) -> str:
    """4 significant digits for people; stored values keep full precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.4g}"


def table(
    headers: list[str],
    rows: list[list[str]],
    out: TextIO | None = None,
    right: set[int] | None = None,
) -> None:
    """Print an aligned plain-text table; columns in ``right`` are right-aligned (numbers)."""
    out = out or sys.stdout
    right = right or set()
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print(line(row), file=out)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, datetimes (ISO 8601, UTC) and arrays as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def print_json(value: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    json.dump(to_jsonable(value), out, indent=2, ensure_ascii=False, sort_keys=False)
    out.write("\n")


def print_json_rows(rows: list[dict[str, Any]], out: TextIO | None = None) -> None:
    """A JSON array of plain objects, one per line: ``json.dump`` with ``indent`` runs the
    pure-Python encoder, which takes seconds for an inventory of thousands of models; each
    row through the C encoder takes milliseconds, and a line per row still reads well."""
    out = out or sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    out.write("[\n" + ",\n".join("  " + encode(row) for row in rows) + ("\n]\n" if rows
                                                                          else "]\n"))
