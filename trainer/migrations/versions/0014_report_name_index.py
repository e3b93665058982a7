"""The report's learners in name order from an index: a page walks it instead of sorting.

The report's first page (sorted by name) takes the next learners from this index and builds
only their rows, so its cost does not grow with the number of learners. ix_user_active stays:
it gives the learners in id order, which the API's pages walk.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX: a batch on SQLite could rebuild `user` without lower(email)'s index.
    op.create_index(
        'ix_user_active_display_name', 'user', ['active', 'display_name', 'email', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_user_active_display_name', table_name='user')
