"""a finding keeps the facts its rule counted and dated (items, newest date, period...), so that
the monthly report says them without judging the pages again

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('findings', sa.Column('facts', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('findings', 'facts')
