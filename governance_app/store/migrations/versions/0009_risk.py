"""Model risk: risk policies, tier assignments, findings and their threads, approval terms.

Revision ID: 0009_risk
Revises: 0008_cloud
Create Date: 2026-12-07 02:00:00.000000

Every table is a cache of the signed acts in the audit chain (``governance.risk_acts``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import governance_app.store.types

revision = "0009_risk"
down_revision = "0008_cloud"
branch_labels = None
depends_on = None

UTC_TS = governance_app.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("parsed", sa.JSON(), nullable=False),
        sa.Column("adopted_by", sa.String(length=256), nullable=False),
        sa.Column("adopted_at", UTC_TS, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_policies")),
    )
    with op.batch_alter_table("risk_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_policies_name"), ["name"], unique=False)
    op.create_table(
        "tier_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=512), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("policy", sa.String(length=256), nullable=False),
        sa.Column("policy_digest", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("use", sa.Text(), nullable=False),
        sa.Column("member", sa.String(length=256), nullable=False),
        sa.Column("assigned_at", UTC_TS, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_assignments")),
    )
    with op.batch_alter_table("tier_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_assignments_model"), ["model"], unique=False)
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opening_hash", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=512), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(length=256), nullable=False),
        sa.Column("opened_at", UTC_TS, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=256), nullable=False),
        sa.Column("decided_at", UTC_TS, nullable=True),
        sa.Column("exception_until", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("opening_hash", name=op.f("uq_findings_opening_hash")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_model"), ["model"], unique=False)
        batch_op.create_index(batch_op.f("ix_findings_status"), ["status"], unique=False)
    op.create_table(
        "finding_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", UTC_TS, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"],
                                name=op.f("fk_finding_comments_finding_id_findings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_comments")),
    )
    with op.batch_alter_table("finding_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_comments_finding_id"), ["finding_id"],
                              unique=False)
    op.create_table(
        "approval_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("review_hash", sa.String(length=64), nullable=False),
        sa.Column("member", sa.String(length=256), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("expires", sa.String(length=10), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"],
                                name=op.f("fk_approval_terms_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_terms")),
    )
    with op.batch_alter_table("approval_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_terms_review_id"), ["review_id"],
                              unique=False)


def downgrade() -> None:
    for table, indexes in (("approval_terms", ["ix_approval_terms_review_id"]),
                           ("finding_comments", ["ix_finding_comments_finding_id"]),
                           ("findings", ["ix_findings_status", "ix_findings_model"]),
                           ("tier_assignments", ["ix_tier_assignments_model"]),
                           ("risk_policies", ["ix_risk_policies_name"])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
