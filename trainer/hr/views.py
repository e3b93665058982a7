"""HR's area: the completion report, its exports, learner transcripts and course assignments."""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.hr.forms import (
    DepartmentAssignmentForm,
    ExportForm,
    PeopleAssignmentForm,
    ReportFilterForm,
)
from trainer.learning import catalogue, published
from trainer.models import Course
from trainer.people import assignments
from trainer.people.assignments import AssignmentError
from trainer.reporting import export_jobs, exports, report, report_pages, transcript
from trainer.routing import id_number, page_number
from trainer.urls import link_maker
from trainer.xapi import lrs

bp = Blueprint("hr", __name__, url_prefix="/hr")
PER_PAGE = 50
# The report page counts its rows up to this many, then says "more than": a count to the end
# reads every learner (half a second at a million), the page itself only its own rows.
COUNT_CAP = 10_000
# The assignment page ticks learners from a list this long at most; a search narrows it.
LEARNER_CHOICES = 100
FILTER_ARGS = ("course", "department", "status", "since", "until", "q")


def _ordering() -> tuple[str, bool]:
    """The report's sort key and direction from the query string; unknown keys sort by name."""
    sort = request.args.get("sort", "name")
    return (sort if sort in report.SORT_KEYS else "name"), request.args.get("dir") == "desc"


def _render_report(
    form: ReportFilterForm, status: int = 200, message: str | None = None
) -> tuple[str, int]:
    """The report page; with invalid filters it shows the errors and no rows."""
    sort, descending = _ordering()
    page = page_number(request.args)
    valid = status == 200
    filters = form.filters() if valid else report.ReportFilter()
    total = report_pages.count_rows(filters, cap=COUNT_CAP) if valid else 0
    rows = report_pages.page_rows(filters, sort, descending, page, PER_PAGE) if valid else []
    more = total > COUNT_CAP  # not counted to the end: "more than COUNT_CAP"
    if more:
        # Is there a row after this page? The first row of the next page answers.
        following = report_pages.page_rows(filters, sort, descending, page * PER_PAGE + 1, 1)
        has_next = len(rows) == PER_PAGE and bool(following)
    else:
        has_next = page * PER_PAGE < total
    query = {key: request.args[key] for key in FILTER_ARGS if valid and request.args.get(key)}
    page_html = render_template(
        "hr/report.html", form=form, rows=rows, total=min(total, COUNT_CAP), more=more,
        has_next=has_next, page=page, per_page=PER_PAGE,
        sort=sort, descending=descending, query=query, formats=exports.EXPORT_FORMATS.values(),
        message=message,
        # Translated once for the page rather than once a row.
        labels={status: str(label) for status, label in report.STATUS_LABELS.items()},
        lessons_of=_("%(done)d of %(total)d"),  # without values: the pattern itself
        learner_link=link_maker(url_for, "hr.learner", "user_id"),
        certificate_link=link_maker(url_for, "certificates.verify", "code"),
    )  # fmt: skip
    return page_html, status


@bp.get("/")
@role_required("hr")
def progress() -> tuple[str, int]:
    """The completion report: one row per learner and course, filtered, sorted, paginated."""
    form = ReportFilterForm(request.args, published.catalogue().listed(), assignments.departments())
    if not form.validate():
        return _render_report(form, 400, _("Correct the filters below."))
    return _render_report(form)


@bp.get("/export")
@role_required("hr")
def export() -> BaseResponse | tuple[str, int]:
    """Download exactly the report's filtered rows, streamed, in the chosen format; a large
    export becomes a job written by the worker, and the answer is its page."""
    form = ExportForm(request.args, published.catalogue().listed(), assignments.departments())
    if not form.validate():
        return _render_report(form, 400, _("The export was not made: correct the filters below."))
    sort, descending = _ordering()
    fmt = form.format.data
    try:
        # People's formats come in the language of the HR user's interface.
        options = exports.ExportOptions(form.filters(), sort, descending, str(get_locale()))
        exports.check_export(fmt, options)
        rows = report_pages.count_rows(options.filters)
        if rows > export_jobs.direct_limit():
            # Too long for one request: the worker writes it into a file, a page follows it.
            job = export_jobs.create(fmt, options, current_user, rows)
            db.session.commit()
            export_jobs.start(job.id)
            return redirect(url_for("hr_exports.show", job_id=job.id))
        started = exports.start_export(fmt, options, current_user, row_count=rows)
    except report.FilterError:
        db.session.rollback()
        return _render_report(form, 400, _("The export was not made: correct the filters below."))
    except exports.ExportError:
        db.session.rollback()
        return _render_report(form, 400, _("This export format is not available yet."))
    db.session.commit()  # the audit record stands even if the download is interrupted
    return Response(
        stream_with_context(started.chunks),
        mimetype=started.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{started.filename}"'},
    )


@bp.get("/learners/<int:user_id>")
@role_required("hr")
def learner(user_id: int) -> str:
    """One learner's transcript: every lesson opened or done and every attempt."""
    record = transcript.transcript(user_id)
    if record is None:
        abort(404)
    return render_template("hr/transcript.html", record=record)


@bp.get("/xapi")
@role_required("hr")
def xapi_queue() -> str:
    """The xAPI statements waiting for the LRS, those delivered, and the latest errors."""
    return render_template(
        "hr/xapi_queue.html", state=lrs.queue_state(), endpoint=lrs.endpoint_label(current_app)
    )


def _render_assignments(
    forms: tuple[DepartmentAssignmentForm, PeopleAssignmentForm, int, str], status: int = 200
) -> tuple[str, int]:
    department_form, people_form, learners_total, search = forms
    page_html = render_template(
        "hr/assignments.html", department_form=department_form, people_form=people_form,
        learners_total=learners_total, who=search, assignments=assignments.current(),
        overdue_before=assignments.overdue_before(), zone=current_app.config["TIME_ZONE"],
        remove_form=EmptyForm(),
    )  # fmt: skip
    return page_html, status


def _posted_ids() -> list[int]:
    """The learner ids ticked in a posted people form (anything else is left out)."""
    ids = []
    for value in request.form.getlist("people-learners"):
        try:
            ids.append(id_number(value))
        except ValueError:
            continue
    return ids


def _forms(posted: str) -> tuple[DepartmentAssignmentForm, PeopleAssignmentForm, int, str]:
    """Both assignment forms (only the `posted` one reads the request), how many active
    learners match the search, and the search.

    The people form offers a page of learners (`?who=` narrows it), not every learner: on a
    post it also offers the ticked ones, so that a tick made after a search still counts.
    """
    courses = catalogue.courses()
    unposted: dict[str, Any] = {"formdata": None}
    search = request.args.get("who", "").strip()[:100]
    learners, total = assignments.learner_page(search, LEARNER_CHOICES)
    if posted == "people":
        shown = {row.id for row in learners}
        learners += [
            row for row in assignments.learners_by_id(_posted_ids()) if row.id not in shown
        ]
    return (
        DepartmentAssignmentForm(
            courses, assignments.departments(), **({} if posted == "department" else unposted)
        ),
        PeopleAssignmentForm(courses, learners, **({} if posted == "people" else unposted)),
        total,
        search,
    )


def _refused(error: AssignmentError) -> str:
    messages = {
        "past_due": _("The due date is in the past."),
        "empty_department": _("No active learners in department %(name)s.", name=error.detail),
        "unknown_emails": _("No active learner has these e-mail addresses: %(emails)s.",
                            emails=error.detail),
        "nobody": _("Choose at least one learner."),
    }  # fmt: skip
    return messages.get(error.reason, str(error))


@bp.get("/assignments")
@role_required("hr")
def assignments_page() -> tuple[str, int]:
    """Assign a course to a department or to chosen people; see what is assigned."""
    return _render_assignments(_forms("none"))


@bp.post("/assignments/department")
@role_required("hr")
def assign_department() -> BaseResponse | tuple[str, int]:
    """Assign a course, due on a date, to every active learner of a department."""
    forms = _forms("department")
    form = forms[0]
    if form.validate_on_submit():
        course = db.session.get(Course, int(form.course.data))
        try:
            outcome = assignments.assign_department(
                course, form.department.data, form.due.data, current_user
            )
        except AssignmentError as error:
            db.session.rollback()
            form.due.errors = [*form.due.errors, _refused(error)]
        else:
            db.session.commit()
            message = _(
                "%(course)s assigned in %(department)s: %(created)d new, %(updated)d with a new"
                " due date.",
                course=course.title,
                department=form.department.data,
                created=outcome.created,
                updated=outcome.updated,
            )
            flash(message, "success")
            return redirect(url_for("hr.assignments_page"))
    return _render_assignments(forms, 400)


@bp.post("/assignments/people")
@role_required("hr")
def assign_people() -> BaseResponse | tuple[str, int]:
    """Assign a course, due on a date, to the ticked or listed learners."""
    forms = _forms("people")
    form = forms[1]
    if form.validate_on_submit():
        course = db.session.get(Course, int(form.course.data))
        try:
            chosen = assignments.learners_by_ids_and_emails(form.learners.data, form.email_list())
            outcome = assignments.assign_people(course, chosen, form.due.data, current_user)
        except AssignmentError as error:
            db.session.rollback()
            form.emails.errors = [*form.emails.errors, _refused(error)]
        else:
            db.session.commit()
            message = _(
                "%(course)s assigned: %(created)d new, %(updated)d with a new due date.",
                course=course.title,
                created=outcome.created,
                updated=outcome.updated,
            )
            flash(message, "success")
            return redirect(url_for("hr.assignments_page"))
    return _render_assignments(forms, 400)


@bp.post("/assignments/<int:assignment_id>/remove")
@role_required("hr")
def unassign(assignment_id: int) -> BaseResponse:
    """Withdraw one assignment; the learner's progress stays."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if assignments.unassign(assignment_id, current_user) is None:
        abort(404)
    db.session.commit()
    flash(_("Assignment withdrawn."), "success")
    return redirect(url_for("hr.assignments_page"))
