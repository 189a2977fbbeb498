"""On-the-job tasks: what learners hand in, and the files they attach

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_task_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrollment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('activity_key', sa.String(length=200), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('points', sa.Double(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['enrollment_id'], ['lms_enrollments.id'],
                                name=op.f('fk_lms_task_submissions_enrollment_id_lms_enrollments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'],
                                name=op.f('fk_lms_task_submissions_user_id_lms_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['lms_course_versions.id'],
                                name=op.f('fk_lms_task_submissions_version_id_lms_course_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_task_submissions')),
        sa.UniqueConstraint('enrollment_id', 'activity_key', 'number',
                            name=op.f('uq_lms_task_submissions_enrollment_id')),
    )
    with op.batch_alter_table('lms_task_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_lms_task_submissions_item', ['version_id', 'activity_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_task_submissions_user_id'), ['user_id'], unique=False)
    op.create_table(
        'lms_task_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('stored', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=60), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['lms_task_submissions.id'],
                                name=op.f('fk_lms_task_files_submission_id_lms_task_submissions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_task_files')),
    )
    with op.batch_alter_table('lms_task_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_task_files_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    op.drop_table('lms_task_files')
    op.drop_table('lms_task_submissions')
