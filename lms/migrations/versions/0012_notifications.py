"""Notifications: the outbox and the bell, delivery attempts, people's and the organisation's choices;
a person's time zone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_users') as batch:
        batch.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
    op.create_table(
        'lms_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=254), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('in_bell', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_state', sa.String(length=12), nullable=False),
        sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=32), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name='fk_lms_notifications_user_id_lms_users',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_lms_notifications'),
        sa.UniqueConstraint('key', name='uq_lms_notifications_key'),
    )
    op.create_index('ix_lms_notifications_outbox', 'lms_notifications', ['email_state', 'send_after'])
    op.create_index('ix_lms_notifications_bell', 'lms_notifications', ['user_id', 'read_at'])
    op.create_table(
        'lms_notification_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['lms_notifications.id'],
                                name='fk_lms_notification_attempts_notification_id_lms_notifications',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_lms_notification_attempts'),
    )
    op.create_index('ix_lms_notification_attempts_notification_id', 'lms_notification_attempts',
                    ['notification_id'])
    op.create_table(
        'lms_notification_choices',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name='fk_lms_notification_choices_user_id_lms_users',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name='pk_lms_notification_choices'),
    )
    op.create_table(
        'lms_notification_kinds',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kind', name='pk_lms_notification_kinds'),
    )


def downgrade() -> None:
    op.drop_table('lms_notification_kinds')
    op.drop_table('lms_notification_choices')
    op.drop_index('ix_lms_notification_attempts_notification_id', table_name='lms_notification_attempts')
    op.drop_table('lms_notification_attempts')
    op.drop_index('ix_lms_notifications_bell', table_name='lms_notifications')
    op.drop_index('ix_lms_notifications_outbox', table_name='lms_notifications')
    op.drop_table('lms_notifications')
    with op.batch_alter_table('lms_users') as batch:
        batch.drop_column('timezone')
