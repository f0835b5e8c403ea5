"""The board root: reviews named by their opening act, and gate grants apart from aliases.

Revision ID: 0007_board
Revises: 0006_model_cards
Create Date: 2026-12-07 01:00:00.000000

The governance tables become a cache derived from the audit chain; ``gate_grants`` holds the
gates reviews granted (``model_aliases`` keeps only what registries reported).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0007_board"
down_revision = "0006_model_cards"
branch_labels = None
depends_on = None

UTC_TS = governance_app.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_reviews_opening_hash"),
                                          ["opening_hash"])
    op.create_table(
        "gate_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=512), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(length=256), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("review_hash", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("granted_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"],
                                name=op.f("fk_gate_grants_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_grants")),
    )
    with op.batch_alter_table("gate_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gate_grants_model"), ["model"], unique=False)
        batch_op.create_index(batch_op.f("ix_gate_grants_review_id"), ["review_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gate_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_grants_review_id"))
        batch_op.drop_index(batch_op.f("ix_gate_grants_model"))
    op.drop_table("gate_grants")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_reviews_opening_hash"), type_="unique")
        batch_op.drop_column("opening_hash")
