"""Cloud registries and trackers: each version's origin, source id and external decision, and
the evaluations a platform computed (Vertex evaluations and slices, Clarify bias reports).

Revision ID: 0008_cloud
Revises: 0007_board
Create Date: 2026-12-07 01:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_cloud"
down_revision = "0007_board"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "version_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("model_source_id", sa.Text(), nullable=False),
        sa.Column("external_decision", sa.String(length=64), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decision_history", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["model_versions.id"],
            name=op.f("fk_version_origins_version_id_model_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_origins")),
        sa.UniqueConstraint("version_id", name=op.f("uq_version_origins_version_id")),
    )
    op.create_table(
        "external_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("display_name", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("slices", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_external_evaluations_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["model_versions.id"],
            name=op.f("fk_external_evaluations_version_id_model_versions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_evaluations")),
        sa.UniqueConstraint("version_id", "source", "name",
                            name=op.f("uq_external_evaluations_version_id")),
    )
    with op.batch_alter_table("external_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_evaluations_version_id"), ["version_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("external_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_evaluations_version_id"))
    op.drop_table("external_evaluations")
    op.drop_table("version_origins")
