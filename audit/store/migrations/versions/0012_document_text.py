"""documents read from disclosure sections: stored body, extracted text and its status

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('documents', sa.Column('sha256', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('documents', sa.Column('text', sa.Text(), nullable=False, server_default=''))
    op.add_column('documents', sa.Column('text_status', sa.String(length=16), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('text_status')
        batch.drop_column('text')
        batch.drop_column('sha256')
