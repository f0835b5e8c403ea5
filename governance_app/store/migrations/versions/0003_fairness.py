"""Fairness results computed from prediction tables, attached to model versions.

Revision ID: 0003_fairness
Revises: 0002_lineage
Create Date: 2026-11-25 10:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0003_fairness"
down_revision = "0002_lineage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fairness_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("schema", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("settings_digest", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", governance_app.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_fairness_results_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name=op.f("fk_fairness_results_model_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fairness_results")),
        sa.UniqueConstraint(
            "model_version_id",
            "source_sha256",
            "settings_digest",
            name=op.f("uq_fairness_results_model_version_id"),
        ),
    )
    with op.batch_alter_table("fairness_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fairness_results_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fairness_results_model_version_id"), ["model_version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fairness_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fairness_results_model_version_id"))
        batch_op.drop_index(batch_op.f("ix_fairness_results_import_id"))
    op.drop_table("fairness_results")
