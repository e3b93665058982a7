"""Packaging hook: compile the translations into the wheel, so that `pip install` speaks Polish,
and put the project's static files and course content inside the package, where an installed
Trainer finds them (`trainer.config.project_folder`).

Everything else about the package is declared in setup.cfg.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path("trainer") / "translations"
# Top-level folders of the checkout that a running Trainer reads.
PROJECT_FOLDERS = ("static", "lessons", "quizzes")


class BuildPackage(build_py):
    """build_py, then each `messages.po` compiled to its `messages.mo` beside the built code,
    and the project's folders copied into the built package."""

    def run(self) -> None:
        super().run()
        for name in PROJECT_FOLDERS:
            shutil.copytree(name, Path(self.build_lib) / "trainer" / name, dirs_exist_ok=True)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for source in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
            target = Path(self.build_lib) / source.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po, target.open("wb") as mo:
                write_mo(mo, read_po(po))


setup(cmdclass={"build_py": BuildPackage})
