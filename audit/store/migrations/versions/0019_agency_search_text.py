"""agencies keep their code and name folded (no diacritics, lower case), so that the dashboard
searches them in the database, with or without diacritics

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

from minhbach.rules.text import fold

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    agencies = sa.table('agencies', sa.column('id', sa.Integer), sa.column('code', sa.String),
                        sa.column('name', sa.String), sa.column('search_text', sa.Text))
    connection = op.get_bind()
    for id_, code, name in connection.execute(sa.select(agencies.c.id, agencies.c.code, agencies.c.name)).all():
        connection.execute(agencies.update().where(agencies.c.id == id_).values(search_text=fold(f"{code} {name}")))
    # the overview sorts and pages an audit's scores in the database
    op.create_index('ix_scores_audit_total', 'scores', ['audit_run_id', 'total'])


def downgrade() -> None:
    op.drop_index('ix_scores_audit_total', 'scores')
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('search_text')
