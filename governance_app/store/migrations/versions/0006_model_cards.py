"""Model cards per model version: imported Model Card Toolkit / Hugging Face cards and text
written in the app, every one kept (history).

Revision ID: 0006_model_cards
Revises: 0005_governance
Create Date: 2026-11-25 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0006_model_cards"
down_revision = "0005_governance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("source_name", sa.String(length=512), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("recorded_at", governance_app.store.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("recorded_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_model_cards_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name=op.f("fk_model_cards_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_cards")),
    )
    with op.batch_alter_table("model_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_cards_source_sha256"), ["source_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_model_cards_version_id"), ["version_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_cards_version_id"))
        batch_op.drop_index(batch_op.f("ix_model_cards_source_sha256"))

    op.drop_table("model_cards")
