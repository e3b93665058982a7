"""xAPI: an opaque learner id on every user, and the statement log that is also the outbox.

Every existing user gets a random learner id here. The log starts empty; `bootstrap` (or
`flask --app trainer xapi backfill`) writes the statements of what was recorded before it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:00:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 1000
# SQLite rebuilds "user" for a batch change and loses this expression index: made again.
EMAIL_INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS uq_user_email_lower ON "user" (lower(email))'


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('learner_id', sa.String(length=36), nullable=True))
    bind = op.get_bind()
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('learner_id', sa.String))
    ids = [row[0] for row in bind.execute(sa.text('SELECT id FROM "user"'))]
    statement = (
        user.update().where(user.c.id == sa.bindparam('user_id'))
        .values(learner_id=sa.bindparam('learner_id'))
    )
    updates = [{'user_id': user_id, 'learner_id': str(uuid.uuid4())} for user_id in ids]
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start:start + BATCH])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('learner_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_learner_id'), ['learner_id'])
    op.execute(EMAIL_INDEX)

    op.create_table(
        'xapi_statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('verb', sa.String(length=32), nullable=False),
        sa.Column('stored', sa.DateTime(), nullable=False),
        sa.Column('statement', sa.JSON(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('send_attempts', sa.Integer(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_xapi_statement_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_xapi_statement_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statement')),
        sa.UniqueConstraint('source', 'source_id', name=op.f('uq_xapi_statement_source_source_id')),
        sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statement_statement_id')),
    )
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_statement_delivered_at'), ['delivered_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_stored'), ['stored'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_user_id'))
        batch_op.drop_index(batch_op.f('ix_xapi_statement_stored'))
        batch_op.drop_index(batch_op.f('ix_xapi_statement_delivered_at'))
    op.drop_table('xapi_statement')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_learner_id'), type_='unique')
        batch_op.drop_column('learner_id')
    op.execute(EMAIL_INDEX)
