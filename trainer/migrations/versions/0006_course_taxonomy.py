"""Each course carries its own taxonomy; no constraint names a dimension, market or type.

Before this revision every course used the seven B2B/B2C dimensions and the markets B2B and
B2C (the constraints allowed nothing else), so existing courses get that taxonomy here;
the next content sync replaces it with what their course.yaml declares.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

DIMENSIONS = (
    ('decision_process', 'Proces decyzyjny', 'Decision process'),
    ('relationships', 'Relacje z klientami', 'Customer relationships'),
    ('marketing', 'Strategia marketingowa', 'Marketing strategy'),
    ('transaction_value', 'Wartość transakcji', 'Transaction value'),
    ('product_requirements', 'Wymagania produktu', 'Product requirements'),
    ('communication', 'Komunikacja', 'Communication'),
    ('customer_service', 'Obsługa klienta', 'Customer service'),
)
FIRST_TAXONOMY = {
    'dimensions': [{'key': key, 'label': {'pl': pl, 'en': en}} for key, pl, en in DIMENSIONS],
    'categories': [
        {'key': 'B2B', 'label': {'pl': 'B2B: sprzedaż firmie', 'en': 'B2B: selling to a business'}},
        {'key': 'B2C', 'label': {'pl': 'B2C: sprzedaż konsumentowi',
                                 'en': 'B2C: selling to a consumer'}},
    ],
}
DROPPED = {
    'lesson': ('ck_lesson_dimension',),
    'question': ('ck_question_dimension', 'ck_question_market', 'ck_question_type',
                 'ck_question_market_for_scenarios'),
    'attempt_item': ('ck_attempt_item_market_answer',),
}


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('taxonomy', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    course = sa.table('course', sa.column('taxonomy', sa.JSON()))
    op.execute(course.update().values(taxonomy=FIRST_TAXONOMY))
    for table, names in DROPPED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_constraint(op.f(name), type_='check')


def downgrade():
    keys = ', '.join(f"'{key}'" for key, _, _ in DIMENSIONS)
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_attempt_item_market_answer'), "market_answer IN ('B2B', 'B2C')"
        )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_question_market_for_scenarios'), "(type = 'scenario') = (market IS NOT NULL)"
        )
        batch_op.create_check_constraint(op.f('ck_question_type'), "type IN ('scenario', 'multiple_choice', 'true_false')"
        )
        batch_op.create_check_constraint(op.f('ck_question_market'), "market IN ('B2B', 'B2C')")
        batch_op.create_check_constraint(op.f('ck_question_dimension'), f'dimension IN ({keys})')
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_lesson_dimension'), f'dimension IN ({keys})')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('taxonomy')
