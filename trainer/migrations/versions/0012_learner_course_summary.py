"""Each learner's standing in each course as one row, which the completion report reads.

`learner_course_summary` holds, per learner and course with any progress, attempt,
completion or assignment, what the report used to aggregate over every learner on every
page (trainer/models/summary.py keeps it up to date on every write). The upgrade fills it
from the rows already there, so an upgraded database reports the same at once; `flask
--app trainer report rebuild-summary` does the same again, for repair. Also an index on
user (department, active), by which the report finds a department's active learners.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

NO_TIME = 'CAST(NULL AS TIMESTAMP)'
NO_NUMBER = 'CAST(NULL AS DOUBLE PRECISION)'
NO_CODE = 'CAST(NULL AS VARCHAR(32))'
FINAL = "a.status = 'graded' AND q.is_final AND q.status = 'active'"

# The aggregation the report ran on every page until now, once, for every learner and course.
BACKFILL = f"""
INSERT INTO learner_course_summary (
    user_id, course_id, lessons_done, attempts, best_score, passed, first_started,
    last_activity, completed_at, certificate_code, assigned_at, due_at
)
SELECT user_id, course_id, SUM(done), SUM(graded), MAX(best), MAX(passed) = 1, MIN(started),
       MAX(touched), MAX(completed_at), MAX(code), MAX(assigned_at), MAX(due_at)
FROM (
    SELECT p.user_id AS user_id, l.course_id AS course_id,
           CASE WHEN l.status = 'published' AND p.completed_at IS NOT NULL THEN 1 ELSE 0 END
               AS done,
           0 AS graded, {NO_NUMBER} AS best, 0 AS passed, p.first_opened_at AS started,
           COALESCE(p.completed_at, p.first_opened_at) AS touched, {NO_TIME} AS completed_at,
           {NO_CODE} AS code, {NO_TIME} AS assigned_at, {NO_TIME} AS due_at
    FROM lesson_progress p JOIN lesson l ON l.id = p.lesson_id
    UNION ALL
    SELECT a.user_id, q.course_id, 0, CASE WHEN a.status = 'graded' THEN 1 ELSE 0 END,
           CASE WHEN {FINAL} THEN a.percent ELSE {NO_NUMBER} END,
           CASE WHEN {FINAL} AND a.passed THEN 1 ELSE 0 END,
           a.started_at, COALESCE(a.submitted_at, a.started_at),
           {NO_TIME}, {NO_CODE}, {NO_TIME}, {NO_TIME}
    FROM attempt a JOIN quiz q ON q.id = a.quiz_id
    UNION ALL
    SELECT c.user_id, c.course_id, 0, 0, {NO_NUMBER}, 1, {NO_TIME}, {NO_TIME},
           c.completed_at, c.certificate_code, {NO_TIME}, {NO_TIME}
    FROM course_completion c
    UNION ALL
    SELECT s.user_id, s.course_id, 0, 0, {NO_NUMBER}, 0, {NO_TIME}, {NO_TIME},
           {NO_TIME}, {NO_CODE}, s.created_at, s.due_at
    FROM assignment s
) sources
GROUP BY user_id, course_id
"""


def upgrade():
    op.create_table('learner_course_summary',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('lessons_done', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('best_score', sa.Double(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('first_started', sa.DateTime(), nullable=True),
    sa.Column('last_activity', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('certificate_code', sa.String(length=32), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_learner_course_summary_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_learner_course_summary_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'course_id', name=op.f('pk_learner_course_summary'))
    )
    op.create_index('ix_learner_course_summary_course_id_best_score', 'learner_course_summary', ['course_id', 'best_score'], unique=False)
    op.create_index('ix_learner_course_summary_course_id_completed_at', 'learner_course_summary', ['course_id', 'completed_at'], unique=False)
    # Plain CREATE INDEX: a batch on SQLite could rebuild `user` without lower(email)'s index.
    op.create_index('ix_user_department_active', 'user', ['department', 'active'], unique=False)
    op.execute(BACKFILL)


def downgrade():
    op.drop_index('ix_user_department_active', table_name='user')
    op.drop_index('ix_learner_course_summary_course_id_completed_at', table_name='learner_course_summary')
    op.drop_index('ix_learner_course_summary_course_id_best_score', table_name='learner_course_summary')
    op.drop_table('learner_course_summary')
