"""Flask-Login wiring: loading users from the session and refusing stale cookies."""

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from trainer.extensions import db, login_manager
from trainer.models import User

# Every signed-in request reads its user, with the roles in the same statement. Built once:
# `session.get` builds its statement anew each time, which cost more than running it.
USER_WITH_ROLES = (
    select(User).options(joinedload(User.roles)).where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user named by a session id `<id>:<session version>`, if still current."""
    user_pk, _, version = user_id.partition(":")
    if not (user_pk.isdigit() and version.isdigit()):
        return None
    user = (
        db.session.execute(USER_WITH_ROLES, {"user_id": int(user_pk)}).unique().scalar_one_or_none()
    )
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    """Bind Flask-Login: strong session protection, and the login page for anonymous users."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"

    @app.before_request
    def require_new_password() -> Response | None:
        """Hold a user with a one-time password on the account page until they change it."""
        allowed = {"auth.account", "auth.logout", "static"}
        if (
            request.blueprint != "api"  # the API never uses the session; it answers 401
            and current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in allowed
        ):
            flash(_l("Please choose your own password before you go on."), "info")
            return redirect(url_for("auth.account"))
        return None
