"""Packaging hook: compile the translations into the wheel, so that `pip install` speaks Polish.

Everything else about the package is declared in setup.cfg.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path("trainer") / "translations"


class BuildWithTranslations(build_py):
    """build_py, then each `messages.po` compiled to its `messages.mo` beside the built code."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for source in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
            target = Path(self.build_lib) / source.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po, target.open("wb") as mo:
                write_mo(mo, read_po(po))


setup(cmdclass={"build_py": BuildWithTranslations})
