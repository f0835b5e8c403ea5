"""Row ↔ domain conversions that both the writer and the readers of registry rows need."""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    MetricSeries,
    ModelVersion,
    RegisteredModel,
    Run,
    content_digest,
    millis_from_utc,
)

T = TypeVar("T")

CHUNK = 900
"""Values per ``IN (...)`` list: below SQLite's historical 999-variable limit."""


def insert_rows(session: Any, model: Any, rows: Sequence[dict[str, Any]],
                size: int = 1000) -> None:
    """INSERT ``rows`` (dicts of one shape) into ``model``'s table, ``size`` per executemany.

    A Core insert of the table, not the ORM's bulk insert of the class: the ORM sorts out
    each row's mapper state first (~15 µs a row), which was a third of importing a
    5,000-task Kubeflow run's 70,000 rows. Column defaults still apply (they are the table's).
    """
    table = model.__table__
    for part in chunks(rows, size):
        session.execute(table.insert(), list(part))


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pack(values: array) -> bytes:
    """Arrays are stored little-endian whatever machine wrote them."""
    if sys.byteorder == "big":  # pragma: no cover - no big-endian CI
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def unpack(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder == "big":  # pragma: no cover
        values.byteswap()
    return values


def finite_or_none(value: float) -> float | None:
    """SQLite turns NaN into NULL; say so explicitly rather than depend on it."""
    return None if math.isnan(value) else value


def experiment_digest(e: Experiment) -> str:
    return content_digest(
        [
            e.source_id,
            e.artifact_location,
            e.lifecycle_stage,
            millis_from_utc(e.created_at),
            millis_from_utc(e.updated_at),
            e.tags,
        ]
    )


def input_payload(i: DatasetInput) -> list[Any]:
    return [i.name, i.digest, i.source_type, i.source, i.schema, i.profile, i.context, i.tags]


def run_digest(r: Run) -> str:
    """Digest of everything of a run but its metric histories (those have their own)."""
    return content_digest(
        [
            r.experiment_name,
            r.name,
            r.user,
            r.status,
            millis_from_utc(r.start_time),
            millis_from_utc(r.end_time),
            r.artifact_uri,
            r.lifecycle_stage,
            r.params,
            r.tags,
            {k: repr(v) for k, v in r.latest_metrics.items()},
            sorted(input_payload(i) for i in r.inputs),
        ]
    )


def model_digest(m: RegisteredModel) -> str:
    return content_digest(
        [m.description, millis_from_utc(m.created_at), millis_from_utc(m.updated_at), m.tags]
    )


def version_digest(v: ModelVersion) -> str:
    return content_digest(
        [
            v.stage,
            v.description,
            v.source,
            v.run_id,
            v.run_link,
            v.status,
            v.user,
            millis_from_utc(v.created_at),
            millis_from_utc(v.updated_at),
            v.tags,
        ]
    )


def series_row(run_pk: int, series: MetricSeries) -> dict[str, Any]:
    return {
        "run_id": run_pk,
        "key": series.key,
        "n_points": len(series),
        "latest_value": finite_or_none(series.latest_value) if len(series) else None,
        "steps": pack(series.steps),
        "timestamps": pack(series.timestamps),
        "values": pack(series.values),
        "digest": series.digest(),
    }


def series_from_row(key: str, steps: bytes, timestamps: bytes, values: bytes) -> MetricSeries:
    return MetricSeries(key, unpack("q", steps), unpack("q", timestamps), unpack("d", values))


def distinct(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))
