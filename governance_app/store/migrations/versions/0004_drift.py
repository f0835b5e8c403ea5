"""Drift results per model version: imported Evidently reports and computed windows.

Revision ID: 0004_drift
Revises: 0003_fairness
Create Date: 2026-11-25 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0004_drift"
down_revision = "0003_fairness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drift_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("timestamp", governance_app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_start", governance_app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_end", governance_app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_sha256", sa.JSON(), nullable=False),
        sa.Column("source_paths", sa.JSON(), nullable=False),
        sa.Column("share_drifted", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("drifted", sa.Boolean(), nullable=False),
        sa.Column("n_columns", sa.Integer(), nullable=False),
        sa.Column("n_drifted", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_drift_results_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name=op.f("fk_drift_results_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drift_results")),
        sa.UniqueConstraint("version_id", "digest", name=op.f("uq_drift_results_version_id")),
    )
    with op.batch_alter_table("drift_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drift_results_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("drift_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drift_results_version_id"))

    op.drop_table("drift_results")
