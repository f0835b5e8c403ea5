"""ORM tables of the workspace. The Alembic migrations must produce exactly this schema
(``tests/store/test_migrations.py`` checks it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from governance_app.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class SqlImport(Base):
    """One completed import: what was read, its digest, and what it added or changed."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime]
    counts: Mapped[dict[str, Any]]
    changes: Mapped[dict[str, Any]]


class SqlChange(Base):
    """A record an import added or updated, so a re-import says what moved."""

    __tablename__ = "import_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(String(16))


class SqlExperiment(Base):
    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(512), unique=True)
    source_id: Mapped[str] = mapped_column(String(128), default="")
    artifact_location: Mapped[str] = mapped_column(Text, default="")
    lifecycle_stage: Mapped[str] = mapped_column(String(32), default="active")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    tags: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))


class SqlRun(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(128), unique=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    name: Mapped[str] = mapped_column(String(512), default="")
    user: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(32), default="")
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]
    artifact_uri: Mapped[str] = mapped_column(Text, default="")
    lifecycle_stage: Mapped[str] = mapped_column(String(32), default="active")
    params: Mapped[dict[str, Any]]
    tags: Mapped[dict[str, Any]]
    latest_metrics: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))


class SqlMetricSeries(Base):
    """A metric's full history as three packed little-endian arrays (int64, int64, float64).

    One row per (run, metric) instead of one per point: histories are only ever read whole,
    and a large registry has millions of points.
    """

    __tablename__ = "metric_series"
    __table_args__ = (UniqueConstraint("run_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(256))
    n_points: Mapped[int] = mapped_column(Integer)
    latest_value: Mapped[float | None] = mapped_column(Float)
    steps: Mapped[bytes] = mapped_column(LargeBinary)
    timestamps: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))


class SqlDataset(Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("name", "digest"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    digest: Mapped[str] = mapped_column(String(128))
    source_type: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    schema: Mapped[str] = mapped_column(Text, default="")
    profile: Mapped[str] = mapped_column(Text, default="")


class SqlRunInput(Base):
    __tablename__ = "run_inputs"
    __table_args__ = (UniqueConstraint("run_id", "dataset_id", "context"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    context: Mapped[str] = mapped_column(String(128), default="")
    tags: Mapped[dict[str, Any]]


class SqlRegisteredModel(Base):
    __tablename__ = "registered_models"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(512), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    tags: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))


class SqlModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(32), default="None")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[str] = mapped_column(String(128), default="", index=True)
    run_link: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="READY")
    user: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    tags: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))


class SqlModelAlias(Base):
    __tablename__ = "model_aliases"
    __table_args__ = (UniqueConstraint("model_id", "alias"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(256))
    version: Mapped[int] = mapped_column(Integer)
