"""sessions kept on the server (revocable, with lifetimes); API tokens carry a role and an agency

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_sessions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_sha256', sa.String(64), nullable=False, unique=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('address', sa.String(64), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_web_sessions_user_id', 'web_sessions', ['user_id'])
    with op.batch_alter_table('api_tokens') as batch:
        # tokens made before roles read everything, as an inspector does
        batch.add_column(sa.Column('role', sa.String(16), nullable=False, server_default='inspector'))
        batch.add_column(sa.Column('agency_code', sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('agency_code')
        batch.drop_column('role')
    op.drop_index('ix_web_sessions_user_id', 'web_sessions')
    op.drop_table('web_sessions')
