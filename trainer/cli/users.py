"""`flask users ...`: create accounts, set roles, deactivate."""

import sys

import click
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.models import ROLES, User
from trainer.services import accounts, audit

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
        db.session.commit()
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.email} with roles: {', '.join(sorted(user.role_names))}")
    if password is None:
        click.echo("no password set: the user cannot sign in until one is set")


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
