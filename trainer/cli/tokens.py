"""`flask tokens ...`: create, revoke and list HR API tokens."""

from datetime import datetime

import click
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.models.audit import TOKEN_SCOPES
from trainer.people import tokens as token_service
from trainer.people.tokens import TokenError

tokens = AppGroup("tokens", help="HR API tokens.")


@tokens.command("create")
@click.option("--name", required=True, help="Who uses the token, e.g. the HR system.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="hr:read", show_default=True)
def create(name: str, scope: str) -> None:
    """Create a token and print its secret, this once only."""
    try:
        token, secret = token_service.create_token(name, scope, "cli")
        db.session.commit()
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"created token {token.name} with scope {token.scope}", err=True)
    click.echo("store it now: it cannot be shown again", err=True)
    click.echo(secret)


@tokens.command("revoke")
@click.option("--name", required=True)
def revoke(name: str) -> None:
    """Revoke the active token called NAME."""
    try:
        token = token_service.revoke_by_name(name, "cli")
        db.session.commit()
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"revoked token {token.name}")


@tokens.command("list")
def list_tokens() -> None:
    """Every token: name, scope, created, last used, revoked (UTC)."""
    rows = token_service.tokens()
    if not rows:
        click.echo("no tokens")
        return
    header = ("name", "scope", "created", "last used", "revoked")
    table = [header] + [
        (token.name, token.scope, _when(token.created_at), _when(token.last_used_at),
         _when(token.revoked_at))
        for token in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"
