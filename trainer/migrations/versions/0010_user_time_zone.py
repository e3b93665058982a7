"""Each user's time zone: times are stored in UTC and shown in the user's zone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Plain ALTER TABLE rather than a batch: a batch rebuilds the table on SQLite and loses the
# expression index on lower(email), which SQLite cannot reflect.
def upgrade():
    op.add_column('user', sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('user', 'time_zone')
