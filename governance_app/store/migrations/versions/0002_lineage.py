"""Lineage tables: nodes by natural id and the edges between them.

Revision ID: 0002_lineage
Revises: 0001_registry
Create Date: 2026-11-25 10:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0002_lineage"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lineage_nodes",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column(
            "started_at", governance_app.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "ended_at", governance_app.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("first_import_id", sa.Integer(), nullable=False),
        sa.Column("last_import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_import_id"],
            ["imports.id"],
            name=op.f("fk_lineage_nodes_first_import_id_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["last_import_id"],
            ["imports.id"],
            name=op.f("fk_lineage_nodes_last_import_id_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lineage_nodes")),
    )
    with op.batch_alter_table("lineage_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lineage_nodes_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lineage_nodes_last_import_id"), ["last_import_id"], unique=False
        )

    op.create_table(
        "lineage_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_import_id"],
            ["imports.id"],
            name=op.f("fk_lineage_edges_first_import_id_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["source"],
            ["lineage_nodes.id"],
            name=op.f("fk_lineage_edges_source_lineage_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["lineage_nodes.id"],
            name=op.f("fk_lineage_edges_target_lineage_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lineage_edges")),
        sa.UniqueConstraint("source", "target", "kind", name=op.f("uq_lineage_edges_source")),
    )
    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lineage_edges_target"), ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lineage_edges_target"))

    op.drop_table("lineage_edges")
    with op.batch_alter_table("lineage_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lineage_nodes_last_import_id"))
        batch_op.drop_index(batch_op.f("ix_lineage_nodes_kind"))

    op.drop_table("lineage_nodes")
