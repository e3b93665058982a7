"""Links built once for many values are the links url_for builds."""

from flask import Flask, url_for

from trainer.routing import ID_MAX
from trainer.urls import link_maker

ODD_SEGMENTS = ["ABC-123", "a b", "ä/ö", "50%?#&=", "<x>\"'", "7031958264", 42]


def test_a_link_made_once_is_the_link_url_for_builds(app: Flask) -> None:
    # A mounted app too: the links keep the script root.
    for root in ("", "/trainer"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            certificate = link_maker(url_for, "certificates.verify", "code")
            learner = link_maker(url_for, "hr.learner", "user_id")
            for value in ODD_SEGMENTS:
                assert certificate(value) == url_for("certificates.verify", code=value)
            for number in (1, 42, ID_MAX):
                assert learner(number) == url_for("hr.learner", user_id=number)
            assert learner(1).startswith(f"{root}/hr/")
