"""Users and roles, for admins."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_
from werkzeug.wrappers import Response

from trainer.admin.forms import RolesForm
from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.models import User
from trainer.people import accounts, audit
from trainer.routing import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 100


@bp.get("/users")
@role_required("admin")
def users() -> str:
    """The users with their roles, a page at a time, optionally those matching `?q=`: a
    count, the page and the page's roles, however many users there are."""
    search = request.args.get("q", "").strip()[:100]
    page = page_number(request.args)
    stmt = db.select(User)
    if search:
        columns = (User.display_name, User.email, User.employee_id)
        # Both spellings: SQLite's lower() folds only ASCII, so "Łukasz" must match as typed.
        stmt = stmt.where(
            or_(
                *(func.lower(c).contains(search.lower(), autoescape=True) for c in columns),
                *(c.contains(search, autoescape=True) for c in columns),
            )
        )
    total = db.session.execute(db.select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(
        stmt.order_by(User.email, User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).scalars().all()  # fmt: skip
    return render_template(
        "admin/users.html", users=rows, form=EmptyForm(), total=total, page=page,
        per_page=PER_PAGE, search=search,
    )  # fmt: skip


@bp.route("/users/<int:user_id>/roles", methods=["GET", "POST"])
@role_required("admin")
def edit_roles(user_id: int) -> Response | str:
    """Choose which roles a user holds."""
    user = db.get_or_404(User, user_id)
    form = RolesForm(roles=sorted(user.role_names))
    if form.validate_on_submit():
        roles = set(form.roles.data or [])
        if user.id == current_user.id and "admin" not in roles:
            flash(_("You cannot take the admin role from yourself."), "error")
        else:
            before = sorted(user.role_names)
            user.set_roles(roles)
            audit.record(
                current_user, "roles.change",
                {"user": user.email, "before": before, "after": sorted(roles)},
            )  # fmt: skip
            db.session.commit()
            flash(_("Roles of %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/roles.html", user=user, form=form)


@bp.post("/users/<int:user_id>/deactivate")
@role_required("admin")
def deactivate(user_id: int) -> Response:
    """Stop a user from signing in and end their sessions."""
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        accounts.deactivate(user)
        audit.record(current_user, "user.deactivate", {"user": user.email})
        db.session.commit()
        flash(_("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("admin.users"))
