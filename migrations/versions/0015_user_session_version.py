"""users.session_version: logout, a password change or deactivation end every session of the user

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 14:00:00

Every session and remember-me cookie carries the version it was issued under; moving it on makes them
all stale at once (gallery.accounts.sessions).
"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
