"""Leitner boxes: a right answer moves a question up and further out; a wrong one, back."""

from datetime import datetime, timedelta

# Days until the next review for a question in each box; after the last box it is mastered.
INTERVAL_DAYS = {1: 0, 2: 1, 3: 3, 4: 7, 5: 14}
LAST_BOX = max(INTERVAL_DAYS)


def next_review(box: int, correct: bool, now: datetime) -> tuple[int | None, datetime]:
    """The new box (None once mastered) and when the question is due again."""
    if not correct:
        return 1, now
    if box >= LAST_BOX:
        return None, now
    new_box = box + 1
    return new_box, now + timedelta(days=INTERVAL_DAYS[new_box])
