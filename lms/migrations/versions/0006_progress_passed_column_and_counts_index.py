"""Dashboard columns: progress ``passed`` with a covering index, run ``competencies``

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_activity_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passed', sa.Boolean(), nullable=True))
    # copy result["passed"] of the rows already there
    progress = sa.table('lms_activity_progress', sa.column('result', sa.JSON()), sa.column('passed', sa.Boolean()))
    op.execute(progress.update().where(progress.c.result.is_not(None)).values(
        passed=progress.c.result['passed'].as_boolean()))
    with op.batch_alter_table('lms_activity_progress', schema=None) as batch_op:
        batch_op.create_index('ix_lms_activity_progress_counts', ['enrollment_id', 'activity_key', 'status', 'passed'],
                              unique=False)

    with op.batch_alter_table('lms_scenario_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('competencies', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                      nullable=True))
    # copy state["competencies"] of the runs already there (an object, kept as JSON)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE lms_scenario_runs SET competencies = (state -> 'competencies')::jsonb")
    else:
        op.execute("UPDATE lms_scenario_runs SET competencies = json_extract(state, '$.competencies')")


def downgrade() -> None:
    with op.batch_alter_table('lms_scenario_runs', schema=None) as batch_op:
        batch_op.drop_column('competencies')
    with op.batch_alter_table('lms_activity_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_activity_progress_counts')
        batch_op.drop_column('passed')
