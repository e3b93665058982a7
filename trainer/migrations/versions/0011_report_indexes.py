"""An index on user.active, which the completion report looks learners up by.

Without it SQLite builds a temporary (automatic) index on the user table for every report
page and export; tests/test_query_counts.py reads the report's query plan.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX: a batch on SQLite could rebuild `user` without lower(email)'s index.
    op.create_index('ix_user_active', 'user', ['active'], unique=False)


def downgrade():
    op.drop_index('ix_user_active', table_name='user')
