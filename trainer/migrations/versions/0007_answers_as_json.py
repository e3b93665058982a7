"""Answers and per-step results as JSON whose shape each question type defines.

The answer columns fitted only the two-step scenario (market, then option). Every graded
item keeps its answers and grade: `market_answer` and `chosen_option_id` become the answer's
`market` and `option`, `market_correct` and `option_correct` the result's, and the most an
item could score is 2 where a market step was graded and 1 otherwise. Questions get a JSON
column for what a type keeps beyond the columns (a dialogue's turns).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BATCH = 1000


def _rows(bind, sql):
    """Rows of a select, read in one go but written back in batches."""
    return bind.execute(sa.text(sql)).mappings().all()


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('details', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('answer', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column('result', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column('max_points', sa.Integer(), nullable=True))
    bind = op.get_bind()
    item = sa.table(
        'attempt_item', sa.column('id', sa.Integer), sa.column('answer', sa.JSON),
        sa.column('result', sa.JSON), sa.column('max_points', sa.Integer),
    )
    updates = []
    for row in _rows(bind, "SELECT id, market_answer, chosen_option_id, market_correct, "
                           "option_correct, points FROM attempt_item"):
        answer, result = {}, {}
        if row['market_answer'] is not None:
            answer['market'] = row['market_answer']
        if row['chosen_option_id'] is not None:
            answer['option'] = row['chosen_option_id']
        if row['market_correct'] is not None:
            result['market'] = bool(row['market_correct'])
        if row['option_correct'] is not None:
            result['option'] = bool(row['option_correct'])
        graded = row['points'] is not None
        max_points = (2 if row['market_correct'] is not None else 1) if graded else None
        if answer or result or graded:
            updates.append({'item_id': row['id'], 'answer': answer, 'result': result,
                            'max_points': max_points})
    statement = (
        item.update().where(item.c.id == sa.bindparam('item_id'))
        .values(answer=sa.bindparam('answer'), result=sa.bindparam('result'),
                max_points=sa.bindparam('max_points'))
    )
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start:start + BATCH])
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_attempt_item_chosen_option_id_question_option'),
                                 type_='foreignkey')
        batch_op.drop_column('option_correct')
        batch_op.drop_column('market_correct')
        batch_op.drop_column('chosen_option_id')
        batch_op.drop_column('market_answer')


def downgrade():
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('market_answer', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('chosen_option_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('market_correct', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('option_correct', sa.Boolean(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_attempt_item_chosen_option_id_question_option'), 'question_option',
            ['chosen_option_id'], ['id'], ondelete='SET NULL',
        )
    bind = op.get_bind()
    options = {row['id'] for row in _rows(bind, "SELECT id FROM question_option")}
    item = sa.table(
        'attempt_item', sa.column('id', sa.Integer), sa.column('market_answer', sa.String),
        sa.column('chosen_option_id', sa.Integer), sa.column('market_correct', sa.Boolean),
        sa.column('option_correct', sa.Boolean),
    )
    updates = []
    for row in _rows(bind, "SELECT id, answer, result FROM attempt_item"):
        answer = row['answer'] if isinstance(row['answer'], dict) else json.loads(row['answer'])
        result = row['result'] if isinstance(row['result'], dict) else json.loads(row['result'])
        option = answer.get('option')
        updates.append({
            'item_id': row['id'], 'market_answer': answer.get('market'),
            'chosen_option_id': option if option in options else None,
            'market_correct': result.get('market'), 'option_correct': result.get('option'),
        })
    statement = (
        item.update().where(item.c.id == sa.bindparam('item_id'))
        .values(market_answer=sa.bindparam('market_answer'),
                chosen_option_id=sa.bindparam('chosen_option_id'),
                market_correct=sa.bindparam('market_correct'),
                option_correct=sa.bindparam('option_correct'))
    )
    for start in range(0, len(updates), BATCH):
        bind.execute(statement, updates[start:start + BATCH])
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_column('max_points')
        batch_op.drop_column('result')
        batch_op.drop_column('answer')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('details')
