"""unread pages (what the crawl knew of but could not read); the TLS check of each site

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unread_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_crawl_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('anchor_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_crawl_id'], ['site_crawls.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_unread_pages_site_crawl_id'), 'unread_pages', ['site_crawl_id'], unique=False)
    # Plain ADD COLUMN (SQLite has it): a batch copy of site_crawls would break the foreign keys
    # of the pages already stored.
    op.add_column('site_crawls', sa.Column('tls_status', sa.String(length=16), nullable=False, server_default=''))
    op.add_column('site_crawls', sa.Column('tls_detail', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('site_crawls') as batch:
        batch.drop_column('tls_detail')
        batch.drop_column('tls_status')
    op.drop_index(op.f('ix_unread_pages_site_crawl_id'), table_name='unread_pages')
    op.drop_table('unread_pages')
