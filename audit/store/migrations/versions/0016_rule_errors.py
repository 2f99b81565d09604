"""an audit counts the rules that crashed while judging it (a bug must not change scores unseen);
a dispute keeps the version of the rule it contests (a new version of the rule ends it)

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_runs', sa.Column('rule_errors', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('disputes', sa.Column('rule_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('audit_runs', 'rule_errors')
    op.drop_column('disputes', 'rule_version')
