"""The OpenID provider's name for an account (issuer and subject), for signing in with the company's
identity provider

Revision ID: s0003
Revises: s0002
Create Date: 2027-01-10
"""
import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site_users") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f("uq_site_users_oidc_issuer"), ["oidc_issuer", "oidc_subject"])


def downgrade() -> None:
    with op.batch_alter_table("site_users") as batch:
        batch.drop_constraint(op.f("uq_site_users_oidc_issuer"), type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
