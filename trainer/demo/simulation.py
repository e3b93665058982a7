"""How synthetic learners behave: who they are, what they read, how they answer. No database.

Every learner draws from their own `random.Random(f"{seed}:{number}")`, so learner 17 of a
seed is the same person whether 30 or 10,000 are generated, and a run is repeatable.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from trainer.demo.names import DEPARTMENTS, person_name
from trainer.learning.progress import CODE_ALPHABET
from trainer.models import AttemptStatus, Lesson, Question, Quiz
from trainer.models.types import end_of_day
from trainer.quiz.drawing import draw_questions
from trainer.quiz.leitner import next_review
from trainer.quiz.scoring import totals
from trainer.quiz.types import question_type
from trainer.taxonomy import Taxonomy

HISTORY_DAYS = 90
NEVER_STARTED = 0.12  # share of learners who never open a course
FINISHERS = 0.7  # share of starters who mean to read every lesson
TAKES_CHECK = 0.85
TAKES_FINAL = 0.9
RETAKE = 0.6  # chance of trying again after a failed attempt
LEFT_MID_QUIZ = 0.01  # an attempt started and left unfinished
ASSIGNED = 0.75
PRACTISES = 0.4
MAX_TRIES = 4  # when a quiz allows unlimited attempts
LEARNING_GAIN = 0.3  # ability gained from a failed attempt and its feedback
# Question difficulty 1..3 on the ability scale; recognising the market is easier than
# choosing the approach, so each step has its own ease.
DIFFICULTY = {1: -1.0, 2: 0.0, 3: 1.0}
MARKET_EASE = 1.3
APPROACH_EASE = 0.4
PRACTICE_EASE = 0.8
QUIZ_MARGIN = timedelta(hours=1)  # longer than any simulated attempt takes


@dataclass(frozen=True)
class OptionFacts:
    """An answer option: what grading looks at."""

    id: int
    is_correct: bool


@dataclass(frozen=True, eq=False)
class QuestionFacts:
    """A question's fields that drawing and grading read, as a plain object (fast to read)."""

    id: int
    type: str
    market: str | None
    dimension: str | None
    difficulty: int
    signals: str
    options: tuple[OptionFacts, ...]
    details: dict[str, Any]
    taxonomy: Taxonomy

    @classmethod
    def of(cls, question: Question) -> "QuestionFacts":
        """The facts of an ORM question."""
        options = tuple(OptionFacts(o.id, o.is_correct) for o in question.options)
        return cls(
            question.id, question.type, question.market, question.dimension,
            question.difficulty, question.signals, options, question.details or {},
            question.course.taxonomy,
        )  # fmt: skip


QuizPool = tuple[Quiz, list[QuestionFacts]]


@dataclass(frozen=True)
class CoursePlan:
    """A course as the simulation needs it: lessons in order, checks per lesson, the final."""

    course_id: int
    lessons: list[Lesson]
    checks: dict[int, QuizPool]
    final: QuizPool | None


@dataclass
class Rows:
    """Rows for bulk insertion; `items[i]` are the answers of `attempts[i]`."""

    progress: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    items: list[list[dict[str, Any]]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    practice: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Learner:
    """One synthetic person and their traits."""

    number: int
    rng: random.Random
    user: dict[str, Any]
    ability: float
    pace_days: float
    start: datetime
    queue: dict[int, datetime] = field(default_factory=dict)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _end_of_day(moment: datetime) -> datetime:
    return end_of_day(moment.date())


class Simulation:
    """Learners of one seed on the loaded courses, up to the reference date `today`."""

    def __init__(self, seed: int, plans: list[CoursePlan], today: datetime, codes: set[str]):
        self.seed = seed
        self.plans = plans
        self.today = today
        self.codes = codes  # certificate codes in use, so new ones stay unique
        traits = random.Random(f"{seed}:questions")  # noqa: S311 (simulation, not security)
        self.questions = {
            q.id: q for plan in plans for _, pool in self._quizzes(plan) for q in pool
        }
        # Each question gets its own shade of difficulty and one tempting wrong option.
        self.traits = {
            qid: (traits.gauss(0, 0.5), traits.random()) for qid in sorted(self.questions)
        }

    @staticmethod
    def _quizzes(plan: CoursePlan) -> list[QuizPool]:
        return list(plan.checks.values()) + ([plan.final] if plan.final else [])

    def learner(self, number: int, employee_id: str, created_domain: str) -> Learner:
        """Who learner `number` is: name, department, ability, pace, when they joined."""
        rng = random.Random(f"{self.seed}:{number}")  # noqa: S311 (simulation, not security)
        first, last, ascii_name = person_name(rng)
        department = rng.choices(
            [name for name, _ in DEPARTMENTS], [weight for _, weight in DEPARTMENTS]
        )[0]
        start = self.today - timedelta(days=rng.uniform(1, HISTORY_DAYS - 5))
        created_at = start - timedelta(days=rng.uniform(0, 5))
        user = {
            "email": f"{ascii_name}.{number:06d}@{created_domain}",
            "display_name": f"{first} {last}",
            "employee_id": employee_id,
            "department": department,
            "active": True,
            "session_version": 1,
            "must_change_password": False,
            "created_at": created_at,
        }
        ability = rng.gauss(0.2 if department == "Sprzedaż B2B" else 0.0, 1.0)
        return Learner(number, rng, user, ability, rng.uniform(0.3, 4.0), start)

    def simulate(self, learner: Learner, user_id: int, rows: Rows) -> None:
        """Everything `learner` did in every course, appended to `rows`."""
        for plan in self.plans:
            self._course(learner, user_id, plan, rows)
        self._practice(learner, user_id, rows)

    def _course(self, learner: Learner, user_id: int, plan: CoursePlan, rows: Rows) -> None:
        rng = learner.rng
        t = learner.start + timedelta(hours=rng.uniform(0, 48))
        if rng.random() < ASSIGNED:
            assigned = max(learner.user["created_at"], t - timedelta(days=rng.uniform(0, 7)))
            assigned = min(assigned, self.today)
            due = _end_of_day(assigned + timedelta(days=rng.choice((21, 30, 45, 60))))
            by_department = rng.random() < 0.6
            rows.assignments.append({
                "user_id": user_id, "course_id": plan.course_id, "due_at": due,
                "department": learner.user["department"] if by_department else None,
                "created_at": assigned,
            })  # fmt: skip
        if rng.random() < NEVER_STARTED or t >= self.today:
            return
        lessons = plan.lessons
        target = len(lessons) if rng.random() < FINISHERS else rng.randint(1, len(lessons))
        for index, lesson in enumerate(lessons[:target]):
            done = t + timedelta(minutes=lesson.estimated_minutes * rng.uniform(0.6, 2.0))
            left_open = index == target - 1 and target < len(lessons) and rng.random() < 0.5
            if done >= self.today or left_open:
                rows.progress.append(self._progress(user_id, lesson, t, None))
                return
            rows.progress.append(self._progress(user_id, lesson, t, done))
            t = done
            check = plan.checks.get(lesson.id)
            if check is not None and rng.random() < TAKES_CHECK:
                start = t + timedelta(minutes=rng.uniform(1, 20))
                t, _ = self._tries(learner, user_id, check, start, rows)
                if t >= self.today:
                    return
            t += timedelta(days=rng.expovariate(1 / learner.pace_days))
            if t >= self.today:
                return
        if target < len(lessons) or plan.final is None or rng.random() >= TAKES_FINAL:
            return
        _, best = self._tries(learner, user_id, plan.final, t, rows)
        if best is not None:
            submitted, percent = best
            rows.completions.append({
                "user_id": user_id, "course_id": plan.course_id, "completed_at": submitted,
                "score": percent, "certificate_code": self._code(learner.rng),
            })  # fmt: skip

    @staticmethod
    def _progress(user_id: int, lesson: Lesson, opened: datetime, done: datetime | None) -> dict:
        return {
            "user_id": user_id, "lesson_id": lesson.id,
            "first_opened_at": opened, "completed_at": done,
        }  # fmt: skip

    def _tries(
        self, learner: Learner, user_id: int, quiz_pool: QuizPool,
        start: datetime, rows: Rows,
    ) -> tuple[datetime, tuple[datetime, float] | None]:  # fmt: skip
        """Attempts until passed, given up or out of attempts: (time after, first pass)."""
        quiz, pool = quiz_pool
        rng = learner.rng
        best: float | None = None
        t = start
        for _ in range(quiz.attempts_allowed or MAX_TRIES):
            if t + QUIZ_MARGIN >= self.today:  # no attempt may end after the reference date
                return self.today, None
            if quiz.time_limit_minutes is None and rng.random() < LEFT_MID_QUIZ:
                self._attempt(learner, user_id, quiz, pool, t, rows, finish=False)
                return self.today, None  # left in the middle: they stop here
            submitted, percent, passed = self._attempt(learner, user_id, quiz, pool, t, rows)
            best = percent if best is None else max(best, percent)
            if passed:
                return submitted, (submitted, best)
            learner.ability += LEARNING_GAIN
            if rng.random() >= RETAKE:
                return submitted, None
            pause = timedelta(minutes=quiz.cooldown_minutes, hours=rng.uniform(0.2, 72))
            t = submitted + pause
        return t, None

    def _attempt(
        self, learner: Learner, user_id: int, quiz: Quiz, pool: list[QuestionFacts],
        started: datetime, rows: Rows, finish: bool = True,
    ) -> tuple[datetime, float, bool]:  # fmt: skip
        """One attempt, answered and graded by the real rules (or left half done)."""
        rng = learner.rng
        # The real drawing and grading rules, on plain stand-ins of the questions.
        drawn = draw_questions(pool, quiz.items_per_attempt, quiz.draw_rules, rng)  # type: ignore[arg-type]
        limit = timedelta(minutes=quiz.time_limit_minutes or 24 * 60) * 0.95
        answered = len(drawn) if finish else rng.randint(0, len(drawn) - 1)
        t, grades, items = started, [], []
        for position, question in enumerate(drawn, 1):
            kind = question_type(question.type)
            item: dict[str, Any] = {
                "question_id": question.id, "position": position,
                "option_order": kind.option_order(question, rng), "answer": {},
                "answered_at": None, "result": {}, "points": None, "max_points": None,
            }  # fmt: skip
            if position <= answered:
                t = min(t + timedelta(seconds=rng.uniform(20, 150)), started + limit)
                item["answer"] = self._answer(learner, question)
                item["answered_at"] = t
            if finish:
                grade = kind.grade(question, item["answer"])
                item.update(result=grade.result, points=grade.points, max_points=grade.max_points)
                grades.append(grade)
                if not grade.full:
                    learner.queue[question.id] = t  # as practice.enqueue: box 1, due now
            items.append(item)
        result = totals(grades, quiz.pass_mark)
        rows.attempts.append({
            "user_id": user_id, "quiz_id": quiz.id, "started_at": started,
            "status": AttemptStatus.GRADED if finish else AttemptStatus.IN_PROGRESS,
            "submitted_at": t if finish else None, "score": result.score if finish else None,
            "max_score": result.max_score if finish else None,
            "percent": result.percent if finish else None,
            "passed": result.passed if finish else None,
        })  # fmt: skip
        rows.items.append(items)
        return t, result.percent, result.passed

    def _answer(self, learner: Learner, question: QuestionFacts) -> dict[str, Any]:
        """An answer whose steps are right with a probability from ability against difficulty
        (recognising the market is easier than choosing the approach)."""
        rng = learner.rng
        gap = self._gap(learner, question)
        ease = {"market": MARKET_EASE}

        def right(step: str) -> bool:
            return rng.random() < _sigmoid(gap + ease.get(step, APPROACH_EASE))

        lure = self.traits[question.id][1]  # the wrong answer this question tempts people to
        return question_type(question.type).simulate(question, rng, right, question.taxonomy, lure)

    def _gap(self, learner: Learner, question: QuestionFacts) -> float:
        """Ability minus the question's difficulty: 0 means an even chance (before ease)."""
        shade = self.traits[question.id][0]
        return learner.ability - DIFFICULTY.get(question.difficulty, 0.0) - shade

    def _practice(self, learner: Learner, user_id: int, rows: Rows) -> None:
        """The practice queue, with Leitner reviews for the learners who practise."""
        rng = learner.rng
        practises = rng.random() < PRACTISES
        for question_id, due in sorted(learner.queue.items()):
            question = self.questions[question_id]
            box: int | None = 1
            reviews = 0
            while practises and box is not None and due < self.today and rng.random() < 0.7:
                correct = rng.random() < _sigmoid(self._gap(learner, question) + PRACTICE_EASE)
                when = min(due + timedelta(hours=rng.uniform(1, 36)), self.today)
                box, due = next_review(box, correct, when)
                reviews += 1
            if box is not None:  # mastered questions leave the queue
                rows.practice.append({
                    "user_id": user_id, "question_id": question.id, "box": box,
                    "due_at": due, "reviews": reviews,
                })  # fmt: skip

    def _code(self, rng: random.Random) -> str:
        while True:
            raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(12))
            code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
            if code not in self.codes:
                self.codes.add(code)
                return code
