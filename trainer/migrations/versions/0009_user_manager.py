"""A user's manager: an optional identity field HR imports and exports with the report.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: SQLite's batch mode copies the table and would lose the
# expression index on lower(email) that keeps addresses unique.


def upgrade():
    op.add_column('user', sa.Column('manager', sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column('user', 'manager')
