"""Reviews of any activity kind (``source_id``); progress awaiting a review says so

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 23:00:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
    reviews = sa.table('lms_reviews', sa.column('source_id', sa.Integer()), sa.column('attempt_id', sa.Integer()),
                       sa.column('run_id', sa.Integer()))
    op.execute(reviews.update().values(source_id=sa.func.coalesce(reviews.c.attempt_id, reviews.c.run_id)))
    with op.batch_alter_table('lms_reviews', schema=None) as batch_op:
        batch_op.alter_column('source_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('fk_lms_reviews_attempt_id_lms_quiz_attempts', type_='foreignkey')
        batch_op.drop_constraint('fk_lms_reviews_run_id_lms_scenario_runs', type_='foreignkey')
        batch_op.drop_column('attempt_id')
        batch_op.drop_column('run_id')
        batch_op.create_index('ix_lms_reviews_source', ['kind', 'source_id'], unique=False)

    # a quiz whose latest attempt waits for a review, and was never passed, is not "done"
    connection = op.get_bind()
    progress = sa.table('lms_activity_progress', sa.column('id', sa.Integer()), sa.column('status', sa.String()),
                        sa.column('result', sa.JSON()), sa.column('activity_key', sa.String()),
                        sa.column('version_id', sa.Integer()))
    contents = sa.table('lms_activity_contents', sa.column('version_id', sa.Integer()), sa.column('key', sa.String()),
                        sa.column('kind', sa.String()))
    quiz = sa.exists().where(contents.c.version_id == progress.c.version_id,
                             contents.c.key == progress.c.activity_key, contents.c.kind == 'quiz')
    waiting = []
    for row_id, result in connection.execute(
            sa.select(progress.c.id, progress.c.result).where(progress.c.status == 'completed',
                                                              progress.c.result.is_not(None), quiz)):
        if isinstance(result, str):
            result = json.loads(result)
        if isinstance(result, dict) and result.get('awaiting_review') and not result.get('passed'):
            waiting.append(row_id)
    if waiting:
        op.execute(progress.update().where(progress.c.id.in_(waiting)).values(status='awaiting_review'))


def downgrade() -> None:
    op.execute("UPDATE lms_activity_progress SET status = 'completed' WHERE status = 'awaiting_review'")
    with op.batch_alter_table('lms_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_reviews_source')
        batch_op.add_column(sa.Column('attempt_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('run_id', sa.Integer(), nullable=True))
    op.execute("UPDATE lms_reviews SET attempt_id = source_id WHERE kind = 'quiz'")
    op.execute("UPDATE lms_reviews SET run_id = source_id WHERE kind = 'scenario'")
    with op.batch_alter_table('lms_reviews', schema=None) as batch_op:
        batch_op.drop_column('source_id')
        batch_op.create_foreign_key('fk_lms_reviews_attempt_id_lms_quiz_attempts', 'lms_quiz_attempts',
                                    ['attempt_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key('fk_lms_reviews_run_id_lms_scenario_runs', 'lms_scenario_runs',
                                    ['run_id'], ['id'], ondelete='CASCADE')
