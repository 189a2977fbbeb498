"""Drafts: course files edited in the browser before publishing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["lms_courses.id"], name=op.f("fk_lms_drafts_course_id_lms_courses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["lms_users.id"], name=op.f("fk_lms_drafts_updated_by_id_lms_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_drafts")),
        sa.UniqueConstraint("course_id", "path", name=op.f("uq_lms_drafts_course_id")),
    )


def downgrade() -> None:
    op.drop_table("lms_drafts")
