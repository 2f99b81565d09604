"""pages rendered in the browser (portals drawn by JavaScript) are marked so

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('pages', sa.Column('rendered', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('pages') as batch:
        batch.drop_column('rendered')
