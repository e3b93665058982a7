"""API tokens for the HR API: create (shown once) and revoke; admins only."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.admin.token_forms import TokenForm
from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.models import ApiToken
from trainer.people import tokens
from trainer.people.tokens import TokenError

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


def _render_list(form: TokenForm) -> str:
    return render_template(
        "admin/tokens.html", tokens=tokens.tokens(), form=form, revoke_form=EmptyForm()
    )


@bp.route("", methods=["GET", "POST"])
@role_required("admin")
def index() -> Response | str:
    """Every token with its last use; the form creates a token and shows its secret once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(form.name.data, form.scope.data, current_user)
        except TokenError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, _token_message(error)]
        else:
            db.session.commit()
            # Rendered, not redirected: the secret must never travel in a cookie or a URL.
            page = render_template("admin/tokens_created.html", token=token, secret=secret)
            response = make_response(page)
            response.headers["Cache-Control"] = "no-store"
            return response
    return _render_list(form)


@bp.post("/<int:token_id>/revoke")
@role_required("admin")
def revoke(token_id: int) -> Response:
    """Revoke a token for good: requests with it are refused from now on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        tokens.revoke_token(token, current_user)
    except TokenError as error:
        db.session.rollback()
        flash(_token_message(error), "error")
    else:
        db.session.commit()
        flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))


def _token_message(error: TokenError) -> str:
    """The user's-language message for a refused token change."""
    messages = {
        "name_taken": _("An active token with this name already exists."),
        "already_revoked": _("This token was already revoked."),
    }
    return messages.get(error.reason, _("This is not possible now."))
