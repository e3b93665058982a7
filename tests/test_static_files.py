"""Static files: addresses that name their content, kept a year; other addresses revalidated."""

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from trainer import static_files
from trainer.config import PROJECT_ROOT
from trainer.static_files import YEAR_SECONDS, file_digest

STYLE_SHEET = PROJECT_ROOT / "static" / "css" / "trainer.css"


def linked_style_sheet(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def test_pages_link_static_files_by_a_digest_of_their_content(client: FlaskClient) -> None:
    digest = hashlib.sha256(STYLE_SHEET.read_bytes()).hexdigest()[:16]
    assert linked_style_sheet(client) == f"/static/css/trainer.css?v={digest}"


def test_the_address_that_names_the_content_is_kept_a_year(client: FlaskClient) -> None:
    response = client.get(linked_style_sheet(client))
    assert response.status_code == 200
    assert response.get_data() == STYLE_SHEET.read_bytes()
    cache = response.cache_control
    assert (cache.max_age, cache.public, cache.immutable, cache.no_cache) == (
        YEAR_SECONDS, True, True, None,
    )  # fmt: skip


def test_a_revalidation_of_the_named_content_is_kept_a_year_too(client: FlaskClient) -> None:
    address = linked_style_sheet(client)
    etag = client.get(address).headers["ETag"]
    response = client.get(address, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.cache_control.max_age == YEAR_SECONDS


def test_other_addresses_are_revalidated_every_time(client: FlaskClient) -> None:
    """Without `v`, or with an old one, the file may change under the address."""
    for address in ("/static/css/trainer.css", "/static/css/trainer.css?v=0123456789abcdef"):
        response = client.get(address)
        assert response.status_code == 200
        assert response.cache_control.no_cache
        assert response.cache_control.max_age is None


def test_missing_files_and_paths_outside_the_folder_have_no_digest(
    client: FlaskClient, app: Flask
) -> None:
    folder = str(app.static_folder)
    assert file_digest(folder, "css/missing.css") is None
    assert file_digest(folder, "css") is None  # a folder
    assert file_digest(folder, "../setup.cfg") is None
    assert client.get("/static/missing.css?v=x").status_code == 404
    assert client.get("/static/../setup.cfg").status_code == 404


def test_a_changed_file_gets_a_new_digest(tmp_path: Path) -> None:
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black; }")
    before = file_digest(str(tmp_path), "site.css")
    sheet.write_text("body { color: white; }")
    os.utime(sheet, ns=(1, 1))  # same size: the time tells the versions apart
    assert file_digest(str(tmp_path), "site.css") not in (None, before)


@pytest.mark.parametrize("debug", [True, False])
def test_a_release_looks_at_its_files_once_a_debugging_server_each_time(
    tmp_path: Path, debug: bool
) -> None:
    """While you edit (debug) a changed file gets a new address at once; a running release
    reads each file's digest once."""
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black; }")
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    app.debug = debug
    static_files.init_app(app)
    with app.test_request_context():
        before = url_for("static", filename="site.css")
        sheet.write_text("body { color: white; }")
        os.utime(sheet, ns=(1, 1))
        after = url_for("static", filename="site.css")
    assert before.startswith("/static/site.css?v=")
    assert (after != before) is debug
