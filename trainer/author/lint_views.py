"""The "Item quality" page: `content lint` over the content files, for trainers."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from trainer.auth.decorators import role_required
from trainer.authoring.content_files import load_configured_content
from trainer.authoring.lint import Finding, lint_courses
from trainer.content.model import ContentError

bp = Blueprint("lint", __name__, url_prefix="/author/lint")

CHECK_LABELS = {
    "key_longest": _l("Key is the longest option"),
    "option_form": _l("Options differ in form"),
    "wrong_only_word": _l("Words only wrong options use"),
    "market_giveaway": _l("Market given away by one word"),
    "near_duplicate": _l("Near-duplicate situation"),
    "name_reused": _l("Name reused in another item"),
}
# The texts of `lint.MESSAGES` (the command line's English), translated for the page.
FINDING_TEXTS = {
    "key_longer": _l("the keyed option is the longest, {ratio}× the longest wrong one"),
    "key_much_longer": _l("the keyed option is much the longest, {ratio}× the longest wrong one"),
    "forms_differ": _l("options start in different forms: {words}"),
    "key_form_alone": _l("the keyed option alone starts in another form: {words}"),
    "gendered": _l("an option assumes the learner's gender: {words}"),
    "wrong_only": _l("wrong options use words no keyed option in the bank uses: {phrases}"),
    "giveaway": _l("the situation's only market cues point at {market}: {cues}"),
    "near_duplicate": _l("situation {similarity} similar to {other}"),
    "near_identical": _l("situation nearly identical to {other} ({similarity})"),
    "name_reused": _l("{name} also names someone or something in {other}"),
}


def finding_text(finding: Finding) -> str:
    """A finding's message in the reader's language."""
    return str(FINDING_TEXTS[finding.code]).format(**finding.params)


@bp.get("/")
@role_required("trainer")
def report() -> str:
    """Every course's findings and bank figures, or what stops the files from loading."""
    try:
        reports, problems = lint_courses(load_configured_content()), []
    except ContentError as error:
        reports, problems = [], error.problems
    return render_template(
        "author/lint.html", reports=reports, problems=problems, labels=CHECK_LABELS,
        finding_text=finding_text,
    )  # fmt: skip
