"""A learner's attempts at given quizzes from one index: the exports' best scores per quiz.

An export reads, for each batch of 500 learners, their graded attempts at the report's
quizzes. With one index on `user_id` and another on `quiz_id`, SQLite took the quiz's: it
read every attempt at those quizzes for every batch (27 ms a batch at 10,000 learners,
growing with all the attempts there are). The pair (user_id, quiz_id) finds just the batch's
attempts (4 ms), and serves every look-up by user alone, which ix_attempt_user_id did.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_attempt_user_id_quiz_id', 'attempt', ['user_id', 'quiz_id'], unique=False)
    op.drop_index('ix_attempt_user_id', table_name='attempt')


def downgrade():
    op.create_index('ix_attempt_user_id', 'attempt', ['user_id'], unique=False)
    op.drop_index('ix_attempt_user_id_quiz_id', table_name='attempt')
