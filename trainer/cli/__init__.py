"""Command-line commands, registered on the app as `flask --app trainer ...`."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every command group to `app`."""
    from trainer.cli.backup import backup, restore
    from trainer.cli.bootstrap import bootstrap
    from trainer.cli.content import content
    from trainer.cli.demo import demo
    from trainer.cli.hr import hr
    from trainer.cli.questions import questions
    from trainer.cli.report import report
    from trainer.cli.tokens import tokens
    from trainer.cli.users import users
    from trainer.cli.worker import worker
    from trainer.cli.xapi import xapi

    for command in (
        backup,
        restore,
        bootstrap,
        content,
        demo,
        hr,
        questions,
        report,
        tokens,
        users,
        xapi,
        worker,
    ):
        app.cli.add_command(command)
