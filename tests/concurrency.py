"""Two transactions at once, for the PostgreSQL tests of row locks."""

import threading
from collections.abc import Callable


def waits_for(blocked: Callable[[], None], release: Callable[[], None], message: str) -> None:
    """Run `blocked` in a thread and check that it is still waiting a second later; then run
    `release` (which should let it go on) and wait for it. An error in it fails the test."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            blocked()
        except BaseException as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), message
    release()
    thread.join(30)
    assert not thread.is_alive(), "still waiting 30 s after the other transaction ended"
    assert not errors, errors
