"""incremental recrawl (validators, carried pages, disappeared pages) and nightly runs

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): other tables' foreign keys point at both.
    op.add_column('pages', sa.Column('etag', sa.String(length=200), nullable=True))
    op.add_column('pages', sa.Column('last_modified', sa.String(length=64), nullable=True))
    op.add_column('pages', sa.Column('carried', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('site_crawls', sa.Column('pages_unchanged', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('site_crawls', sa.Column('pages_disappeared', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'disappeared_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_crawl_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('earlier_site_crawl_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['site_crawl_id'], ['site_crawls.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_disappeared_pages_site_crawl_id', 'disappeared_pages', ['site_crawl_id'])
    op.create_table(
        'nightly_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('night', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('pid', sa.Integer(), nullable=True),
        sa.Column('hostname', sa.String(length=200), nullable=False),
        sa.Column('crawl_run_id', sa.Integer(), nullable=True),
        sa.Column('audit_run_id', sa.Integer(), nullable=True),
        sa.Column('output_dir', sa.Text(), nullable=False),
        sa.Column('exit_code', sa.Integer(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['audit_run_id'], ['audit_runs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('nightly_runs')
    op.drop_index('ix_disappeared_pages_site_crawl_id', 'disappeared_pages')
    op.drop_table('disappeared_pages')
    with op.batch_alter_table('site_crawls') as batch:
        batch.drop_column('pages_disappeared')
        batch.drop_column('pages_unchanged')
    with op.batch_alter_table('pages') as batch:
        batch.drop_column('carried')
        batch.drop_column('last_modified')
        batch.drop_column('etag')
