"""LTI 1.3 tool: registered platforms, accounts, contexts, launches, the score outbox, used nonces
and the OIDC login's state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_lti_platforms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('deployment_ids', sa.JSON(), nullable=False),
        sa.Column('auth_login_url', sa.String(length=500), nullable=False),
        sa.Column('auth_token_url', sa.String(length=500), nullable=False),
        sa.Column('key_set_url', sa.String(length=500), nullable=False),
        sa.Column('auth_audience', sa.String(length=500), nullable=True),
        sa.Column('link_by_email', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_lms_lti_platforms'),
        sa.UniqueConstraint('issuer', 'client_id', name='uq_lms_lti_platforms_issuer'),
    )
    op.create_table(
        'lms_lti_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('sub', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lms_lti_platforms.id'],
                                name='fk_lms_lti_accounts_platform_id_lms_lti_platforms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name='fk_lms_lti_accounts_user_id_lms_users',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_lms_lti_accounts'),
        sa.UniqueConstraint('platform_id', 'sub', name='uq_lms_lti_accounts_platform_id'),
    )
    op.create_index('ix_lms_lti_accounts_user_id', 'lms_lti_accounts', ['user_id'])
    op.create_table(
        'lms_lti_contexts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.String(length=255), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('memberships_url', sa.String(length=500), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lms_lti_platforms.id'],
                                name='fk_lms_lti_contexts_platform_id_lms_lti_platforms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['lms_groups.id'], name='fk_lms_lti_contexts_group_id_lms_groups',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_lms_lti_contexts'),
        sa.UniqueConstraint('platform_id', 'context_id', name='uq_lms_lti_contexts_platform_id'),
    )
    op.create_table(
        'lms_lti_launches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sub', sa.String(length=255), nullable=False),
        sa.Column('deployment_id', sa.String(length=255), nullable=False),
        sa.Column('context_row_id', sa.Integer(), nullable=True),
        sa.Column('resource_link_id', sa.String(length=255), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('module', sa.String(length=200), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('roles', sa.String(length=100), nullable=False),
        sa.Column('ags_scopes', sa.JSON(), nullable=True),
        sa.Column('lineitems_url', sa.String(length=500), nullable=True),
        sa.Column('lineitem_url', sa.String(length=500), nullable=True),
        sa.Column('launched_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_score', sa.JSON(), nullable=True),
        sa.Column('score_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['platform_id'], ['lms_lti_platforms.id'],
                                name='fk_lms_lti_launches_platform_id_lms_lti_platforms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name='fk_lms_lti_launches_user_id_lms_users',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['context_row_id'], ['lms_lti_contexts.id'],
                                name='fk_lms_lti_launches_context_row_id_lms_lti_contexts', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name='fk_lms_lti_launches_course_id_lms_courses',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_lms_lti_launches'),
        sa.UniqueConstraint('platform_id', 'user_id', 'context_row_id', 'resource_link_id',
                            name='uq_lms_lti_launches_platform_id'),
    )
    op.create_index('ix_lms_lti_launches_user_course', 'lms_lti_launches', ['user_id', 'course_id'])
    op.create_table(
        'lms_lti_score_outbox',
        sa.Column('launch_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['launch_id'], ['lms_lti_launches.id'],
                                name='fk_lms_lti_score_outbox_launch_id_lms_lti_launches', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('launch_id', name='pk_lms_lti_score_outbox'),
    )
    op.create_index('ix_lms_lti_score_outbox_send_after', 'lms_lti_score_outbox', ['send_after'])
    op.create_table(
        'lms_lti_nonces',
        sa.Column('nonce', sa.String(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('nonce', name='pk_lms_lti_nonces'),
    )
    op.create_index('ix_lms_lti_nonces_expires_at', 'lms_lti_nonces', ['expires_at'])
    op.create_table(
        'lms_lti_login_states',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name='pk_lms_lti_login_states'),
    )
    op.create_index('ix_lms_lti_login_states_expires_at', 'lms_lti_login_states', ['expires_at'])


def downgrade() -> None:
    op.drop_table('lms_lti_login_states')
    op.drop_table('lms_lti_nonces')
    op.drop_table('lms_lti_score_outbox')
    op.drop_table('lms_lti_launches')
    op.drop_table('lms_lti_contexts')
    op.drop_table('lms_lti_accounts')
    op.drop_table('lms_lti_platforms')
