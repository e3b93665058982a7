"""The content's revision token: processes keep what learners see of a course until it moves.

One row, written in the same transaction as every change to a course, a lesson or a quiz
(trainer/models/revision.py). A lesson page reads the token, one indexed row, instead of
the course, its lessons and the lesson's check on every request.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 17:10:00

"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_revision')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid4().hex}])


def downgrade():
    op.drop_table('content_revision')
