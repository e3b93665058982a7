"""Where content rows came from, the file content a sync last loaded, unapplied versions.

Rows that exist before this revision are marked as born in the files, with no file hash: the
first sync afterwards keeps any that differ from the files (a browser edit it cannot tell
from a file change) and stores the files' text beside them, so nothing is overwritten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TRACKED = ('lesson', 'question', 'quiz')


def upgrade():
    # The server defaults fill the rows already here (new rows always say where they come
    # from); columns are only added, so SQLite keeps its tables and their constraints.
    for table in TRACKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('origin', sa.String(length=8), nullable=False, server_default='files')
            )
            batch_op.add_column(sa.Column('file_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('applied', sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    # Versions that were never applied have no place in the older history: they go.
    op.execute(sa.text('DELETE FROM content_version WHERE NOT applied'))
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('applied')
    for table in reversed(TRACKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('file_hash')
            batch_op.drop_column('origin')
