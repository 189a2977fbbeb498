"""Daily practice: the answers learners give to the questions they once got wrong

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 06:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_practice_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('activity_key', sa.String(length=200), nullable=False),
        sa.Column('question_id', sa.String(length=200), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('correct', sa.Boolean(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_lms_practice_answers_user_day', 'lms_practice_answers', ['user_id', 'day'])


def downgrade() -> None:
    op.drop_index('ix_lms_practice_answers_user_day', table_name='lms_practice_answers')
    op.drop_table('lms_practice_answers')
