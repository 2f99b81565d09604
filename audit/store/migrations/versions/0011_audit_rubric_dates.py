"""the rubric's dates kept with each audit (reports warn when the audit date is outside them)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_runs', sa.Column('rubric_effective', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('audit_runs') as batch:
        batch.drop_column('rubric_effective')
