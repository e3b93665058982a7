"""Trainer: a sales-training platform. `create_app` builds the Flask application."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from trainer.config import Defaults, SettingError, project_folder
from trainer.database import database_url


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, TRAINER_* variables, then `config`."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=str(project_folder("static")),
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TRAINER")
    if config:
        app.config.update(config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
            app.config["DATABASE_URL"]
            or "sqlite:///" + os.path.join(app.instance_path, "trainer.db")
        )
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app)

    from trainer.xapi import settings as xapi_settings

    xapi_settings.check(app)
    from trainer.people import registration

    registration.check(app)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from trainer import control_characters, database, errors, i18n, routing, security, static_files
    from trainer.auth import login
    from trainer.ops import request_log

    request_log.init_app(app)  # first: every other hook's log lines carry the request id
    database.init_app(app)
    login.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    errors.init_app(app)
    control_characters.init_app(app)
    routing.init_app(app)  # before the blueprints: their `<int:…>` rules take its converter
    _register_blueprints(app)
    _template_globals(app)

    from trainer.cli import register_commands

    register_commands(app)
    return app


class MissingSecretKey(SettingError):
    """Start-up without a secret key where a generated one would break sessions."""


def _instance_secret_key(app: Flask) -> str:
    """Read the secret key kept in the instance folder, creating it on first start.

    Instances on other machines would each generate their own key and reject each other's
    sessions and CSRF tokens, so outside debug and tests this needs INSTANCE_SECRET_KEY,
    which `make run` sets for its one machine; a deployment sets TRAINER_SECRET_KEY instead.
    """
    if not (app.debug or app.testing or app.config["INSTANCE_SECRET_KEY"]):
        raise MissingSecretKey(
            "TRAINER_SECRET_KEY is not set. Set it to a long random value, the same on every "
            "instance (python -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "TRAINER_INSTANCE_SECRET_KEY=true to keep a generated key in the instance folder "
            "when Trainer runs on this one machine only."
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        # O_EXCL: if two workers start at once, one writes and the other reads its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
    return path.read_text().strip()


def _template_globals(app: Flask) -> None:
    """What every template may read: the question types (each page shows its type's parts)."""
    from trainer.quiz.types import TYPES

    app.jinja_env.globals["question_types"] = TYPES


def _register_blueprints(app: Flask) -> None:
    from trainer.admin.token_views import bp as tokens_bp
    from trainer.admin.views import bp as admin_bp
    from trainer.api.spec import init_api
    from trainer.api.views import bp as api_bp
    from trainer.auth.invitation_views import bp as invitation_bp
    from trainer.auth.password_views import bp as password_bp
    from trainer.auth.views import bp as auth_bp
    from trainer.author.analysis_views import bp as analysis_bp
    from trainer.author.gift_views import bp as gift_bp
    from trainer.author.lint_views import bp as lint_bp
    from trainer.author.question_views import bp as question_editor_bp
    from trainer.author.views import bp as author_bp
    from trainer.certificates.views import bp as certificates_bp
    from trainer.extensions import limiter
    from trainer.hr.audit_views import bp as audit_bp
    from trainer.hr.export_views import bp as hr_exports_bp
    from trainer.hr.import_views import bp as hr_import_bp
    from trainer.hr.views import bp as hr_bp
    from trainer.learn.practice_views import bp as practice_bp
    from trainer.learn.quiz_views import bp as quiz_bp
    from trainer.learn.views import bp as learn_bp
    from trainer.ops.health import bp as health_bp
    from trainer.privacy.views import bp as privacy_bp
    from trainer.security import api_limit

    for blueprint in (
        auth_bp, invitation_bp, password_bp, learn_bp, quiz_bp, practice_bp, certificates_bp,
        author_bp, question_editor_bp, analysis_bp, gift_bp, lint_bp, hr_bp, hr_import_bp, audit_bp,
        hr_exports_bp, admin_bp, tokens_bp, privacy_bp, health_bp,
    ):  # fmt: skip
        app.register_blueprint(blueprint)
    init_api(app).register_blueprint(api_bp)  # documents its routes as it registers them
    # The API has no sign-in to slow down guessing, so each client gets a request budget.
    limiter.limit(api_limit)(api_bp)
