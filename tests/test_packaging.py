"""The package as a user gets it: a wheel built from the sources alone, installed with pip."""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from trainer.config import PROJECT_ROOT

# What a clean clone does not have: compiled catalogues, environments, build output.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "*.mo", "*.pot", "instance", "__pycache__",
    ".pytest_cache", ".ruff_cache", "node_modules",
)  # fmt: skip
SHOW_SIGN_IN = """
import re, sys, trainer
from trainer import create_app
from trainer.authoring.content_files import load_configured_content
assert trainer.__file__.startswith(sys.prefix), trainer.__file__
app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "TESTING": True},
                 instance_path=sys.argv[1])
client = app.test_client()
page = client.get("/login").text
print(page)
for address in re.findall(r'="(/static/[^"]+)"', page):
    print("static", address, client.get(address).status_code)
with app.app_context():
    print("courses", *(course.slug for course in load_configured_content()))
"""


def test_the_wheel_carries_compiled_translations_static_files_and_content(
    tmp_path: Path,
) -> None:
    """What a deployment (README, "Deploying on PostgreSQL") installs with pip: it speaks
    Polish, serves its style sheet and scripts, and `bootstrap` finds the course."""
    source = tmp_path / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=NOT_IN_A_CLONE)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", source], check=True)
    [wheel] = (tmp_path / "dist").glob("trainer-*.whl")

    # A fresh environment that borrows this one's dependencies but not its Trainer.
    fresh = tmp_path / "venv"
    venv.create(fresh)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Nothing on PYTHONPATH either: the checkout's own Trainer would stand in for the wheel's.
    alone = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    install = [*pip, "--python", python, "install", "-q", "--no-deps", wheel]
    subprocess.run(install, check=True, env=alone)

    page = subprocess.run(
        [python, "-c", SHOW_SIGN_IN, tmp_path / "instance"],
        capture_output=True, text=True, cwd=tmp_path, env=alone,
    )  # fmt: skip
    assert page.returncode == 0, page.stderr
    assert "Zaloguj się" in page.stdout and "Sign in" not in page.stdout
    static = [line.split() for line in page.stdout.splitlines() if line.startswith("static ")]
    assert {address.partition("?")[0] for _, address, _ in static} >= {
        "/static/css/trainer.css", "/static/js/time-zone.js"
    }  # fmt: skip
    assert all(status == "200" for *_, status in static), static
    assert "courses b2b-b2c" in page.stdout.splitlines()
