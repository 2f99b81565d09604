"""a site's crawl can be attempted again by another worker (distributed nights): its attempt
number fences off a lost worker's late writes, and the worker that holds it is named

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('site_crawls', sa.Column('attempt', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('site_crawls', sa.Column('worker', sa.String(200), nullable=False, server_default=''))
    op.add_column('crawl_runs', sa.Column('reason', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('site_crawls') as batch:
        batch.drop_column('worker')
        batch.drop_column('attempt')
    with op.batch_alter_table('crawl_runs') as batch:
        batch.drop_column('reason')
