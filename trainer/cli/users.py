"""`flask users ...`: create accounts, set roles, deactivate, import employees from CSV."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from trainer.extensions import db
from trainer.models import ROLES, User
from trainer.people import accounts, audit, imports, invitations, mail
from trainer.people.import_csv import MAX_IMPORT_BYTES, ImportFileError

users = AppGroup("users", help="Manage user accounts.")

role_option = click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    help="A role to hold; repeat for several.",
)


def _user(email: str) -> User:
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Display name.")
@role_option
@click.option("--employee-id")
@click.option("--department")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(
    email: str,
    name: str,
    roles: tuple[str, ...],
    employee_id: str | None,
    department: str | None,
    password_stdin: bool,
) -> None:
    """Create a user (a learner unless --role says otherwise)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        raise click.ClickException("no password on standard input")
    try:
        user = accounts.create_user(
            email, name, password, set(roles) or {"learner"}, employee_id, department
        )
        audit.record("cli", "user.create", {"user": user.email, "roles": sorted(user.role_names)})
        db.session.commit()
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.email} with roles: {', '.join(sorted(user.role_names))}")
    if password is None:
        _print_invitation(user)


@users.command("invite")
@click.option("--email", required=True)
def invite(email: str) -> None:
    """Print a new invitation link for someone who has not chosen a password yet."""
    user = _user(email)
    if user.password_hash is not None or not user.active:
        raise click.ClickException(f"{user.email} already has a password or is deactivated")
    _print_invitation(user)


def _print_invitation(user: User) -> None:
    invitation = invitations.invitation_for(user)
    base_url = current_app.config.get("BASE_URL")
    days = invitations.max_age_days()
    click.echo(f"{user.email} chooses a password through this link (once, within {days} days):")
    click.echo(invitation.url(base_url))
    if not base_url:
        click.echo("put your site's address before it (set TRAINER_BASE_URL to print it whole)")
    audit.record("cli", "user.invite", {"user": user.email})
    db.session.commit()


@users.command("set-roles")
@click.option("--email", required=True)
@role_option
def set_roles(email: str, roles: tuple[str, ...]) -> None:
    """Replace a user's roles with the given ones."""
    if not roles:
        raise click.ClickException("give at least one --role")
    user = _user(email)
    before = sorted(user.role_names)
    user.set_roles(set(roles))
    audit.record(
        "cli", "roles.change", {"user": user.email, "before": before, "after": sorted(roles)}
    )
    db.session.commit()
    click.echo(f"{user.email}: {', '.join(sorted(user.role_names))}")


@users.command("deactivate")
@click.option("--email", required=True)
def deactivate(email: str) -> None:
    """Stop a user from signing in and end all their sessions."""
    user = _user(email)
    accounts.deactivate(user)
    audit.record("cli", "user.deactivate", {"user": user.email})
    db.session.commit()
    click.echo(f"deactivated {user.email}")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def import_employees(file: Path, dry_run: bool) -> None:
    """Create or update employees from a CSV file (email, name, employee_id, department,
    manager, roles)."""
    with force_locale("en"):
        try:
            preview = imports.preview(file.read_bytes()[: MAX_IMPORT_BYTES + 1])
        except ImportFileError as error:
            raise click.ClickException(f"{file}: {error.message}") from error
        _echo_preview(preview)
    if dry_run:
        click.echo("dry run: nothing was changed")
        return
    try:
        result = imports.apply(preview.rows, preview.fingerprint(), preview.rejected_rows, "cli")
    except (imports.ImportFailed, imports.ImportStale) as error:
        db.session.rollback()
        raise click.ClickException(
            "the database refused the import; nothing was changed"
        ) from error
    db.session.commit()
    click.echo(
        f"imported: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.rejected} rejected and skipped"
    )
    base_url = current_app.config.get("BASE_URL")
    for invitation in result.invitations:
        click.echo(f"invitation for {invitation.email}: {invitation.url(base_url)}")
    if result.invitations and mail.mail_configured(current_app.config):
        if not base_url:
            click.echo("not e-mailed: set BASE_URL so that the links in e-mails are complete")
            return
        try:
            queued = invitations.deliver_invitations(
                result.invitations, base_url, current_app.config
            )
        except mail.MailError as error:
            raise click.ClickException(f"invitations not e-mailed: {error}") from error
        done = "queued for the worker to e-mail" if queued else "e-mailed"
        click.echo(f"invitations {done}: {len(result.invitations)}")


def _echo_preview(preview: imports.Preview) -> None:
    click.echo(f"to create: {len(preview.create)}")
    for row in preview.create:
        roles = ", ".join(row.roles or ("learner",))
        extra = ", ".join(v for v in (row.employee_id, row.department, row.manager) if v)
        click.echo(
            f"  row {row.row}: {row.email} ({row.name}{', ' + extra if extra else ''}; {roles})"
        )
    click.echo(f"to update: {len(preview.update)}")
    for update in preview.update:
        changes = "; ".join(f"{c.field}: {c.before or '-'} -> {c.after}" for c in update.changes)
        click.echo(f"  row {update.row.row}: {update.row.email}: {changes}")
    click.echo(f"unchanged: {len(preview.unchanged)}")
    if preview.kept_roles:
        click.echo("roles kept (an import never changes roles of an account; use set-roles):")
    for kept in preview.kept_roles:
        click.echo(f"  row {kept.row}: {kept.email}: holds {kept.holds}, file names {kept.named}")
    click.echo(f"rejected: {preview.rejected_rows}")
    for rejection in preview.rejected:
        click.echo(f"  row {rejection.row}: {rejection.message}")
