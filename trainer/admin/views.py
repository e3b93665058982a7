"""Users and roles, for admins."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_
from werkzeug.wrappers import Response

from trainer.admin.forms import NewUserForm, RolesForm
from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.models import User
from trainer.people import accounts, audit, invitations, mail
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
        "admin/users.html", users=rows, total=total, page=page,
        per_page=PER_PAGE, search=search,
    )  # fmt: skip


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user() -> Response | str:
    """Add a person; they get a link to choose their password."""
    form = NewUserForm()
    if not form.validate_on_submit():
        return render_template("admin/new_user.html", form=form)
    roles = set(form.roles.data or [])
    try:
        user = accounts.create_user(
            form.email.data or "", form.display_name.data or "", roles=roles,
            department=form.department.data,
        )  # fmt: skip
    except accounts.AccountError:
        form.email.errors.append(_("This address already has an account."))
        return render_template("admin/new_user.html", form=form)
    audit.record(current_user, "user.create", {"user": user.email, "roles": sorted(roles)})
    db.session.commit()
    return _invite(user)


@bp.post("/users/<int:user_id>/invite")
@role_required("admin")
def invite(user_id: int) -> Response | str:
    """A new invitation for someone who has not chosen a password yet."""
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.password_hash is not None or not user.active:
        flash(_("%(email)s already has a password or is deactivated.", email=user.email), "error")
        return redirect(url_for("admin.users"))
    return _invite(user)


def _invite(user: User) -> Response | str:
    """E-mail `user` an invitation when mail is set up, else show the link once to pass on."""
    invitation = invitations.invitation_for(user)
    base_url = current_app.config.get("BASE_URL") or request.url_root
    audit.record(current_user, "user.invite", {"user": user.email})
    db.session.commit()
    if mail.mail_configured(current_app.config):
        try:
            queued = invitations.deliver_invitations([invitation], base_url, current_app.config)
        except mail.MailError:
            current_app.logger.exception("invitation e-mail failed")
            flash(_("The invitation could not be e-mailed; pass the link on yourself."), "error")
        else:
            if queued:
                flash(_("The invitation to %(email)s is being e-mailed.", email=user.email),
                      "success")  # fmt: skip
            else:
                flash(_("Invitation e-mailed to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/invitation.html", invitation=invitation, link=invitation.url(base_url),
        days=invitations.max_age_days(),
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
