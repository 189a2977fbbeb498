"""Course editors: who may change a course in the browser

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Courses already there start with no editors: administrators add them.
    op.create_table('lms_course_editors',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['lms_users.id'], name=op.f('fk_lms_course_editors_added_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_course_editors_course_id_lms_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_course_editors_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'user_id', name=op.f('pk_lms_course_editors'))
    )
    op.create_index(op.f('ix_lms_course_editors_user_id'), 'lms_course_editors', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_lms_course_editors_user_id'), table_name='lms_course_editors')
    op.drop_table('lms_course_editors')
