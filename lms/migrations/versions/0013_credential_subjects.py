"""A person's stable Open Badge subject id (urn:uuid), given with their first credential

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_users') as batch:
        batch.add_column(sa.Column('credential_subject', sa.String(length=45), nullable=True))
        batch.create_unique_constraint('uq_lms_users_credential_subject', ['credential_subject'])


def downgrade() -> None:
    with op.batch_alter_table('lms_users') as batch:
        batch.drop_constraint('uq_lms_users_credential_subject', type_='unique')
        batch.drop_column('credential_subject')
