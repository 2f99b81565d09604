"""agency lifecycle: active, replaced_by (mergers), lifecycle_note

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of agencies would break the foreign keys that point to it.
    op.add_column('agencies', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('agencies', sa.Column('replaced_by', sa.String(length=64), nullable=True))
    op.add_column('agencies', sa.Column('lifecycle_note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('lifecycle_note')
        batch.drop_column('replaced_by')
        batch.drop_column('active')
