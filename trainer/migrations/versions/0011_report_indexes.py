"""An index on user.active, which the completion report looks learners up by.

Without it SQLite builds a temporary (automatic) index on the user table for every report
page and export; tests/test_query_counts.py reads the report's query plan.

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-30 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_active', ['active'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_active')
