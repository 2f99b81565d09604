"""the rubric an administrator chose in the dashboard, with its history

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rubric_choices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rubric_id', sa.String(length=64), nullable=False),
        sa.Column('chosen_by', sa.String(length=64), nullable=False),
        sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('rubric_choices')
