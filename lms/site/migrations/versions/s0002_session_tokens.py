"""A random session token per account: sessions and remember cookies carry it, and replacing it
signs the account out everywhere

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-01
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site_users") as batch:
        batch.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("site_users", sa.column("id", sa.Integer()), sa.column("session_token", sa.String()))
    connection = op.get_bind()
    # Each account its own random token (existing sessions end: they carry none).
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table("site_users") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("site_users") as batch:
        batch.drop_column("session_token")
