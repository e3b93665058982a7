"""Questions' signals (clear or mixed) and the item-quality checks a course waives.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signals', sa.String(length=8), nullable=False, server_default='clear')
        )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('lint_waivers', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('lint_waivers')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('signals')
