"""Static files under addresses that name their content, so a browser keeps them a year.

Every page links the style sheet and the icon, many a script. Sent as Flask sends them
(`no-cache`), a browser asked for each again on every page it opened, and each of those
requests took a worker. Now `url_for("static", ...)` adds `v`, a digest of the file: the
address that names the file's current content is answered with a year's `max-age`, and a
changed file gets a new address, so nobody keeps an old one.
"""

import hashlib
import os
import stat
from functools import lru_cache, partial
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

YEAR_SECONDS = 365 * 24 * 3600


def file_digest(folder: str, filename: str) -> str | None:
    """A digest of the content of `filename` in `folder`; None if it is not a file there."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return _digest(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """Read once for each version of a file: a change moves its time or its size."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:16]


def init_app(app: Flask) -> None:
    """Put the digest in every static address, and let browsers keep what it names."""
    digest_of = partial(file_digest, str(app.static_folder))
    if not app.debug:
        # A running release's files stay as they are: no look at the disk for each link.
        digest_of = lru_cache(maxsize=256)(digest_of)

    @app.url_defaults
    def name_the_content(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            digest = digest_of(str(values.get("filename", "")))
            if digest:
                values["v"] = digest

    @app.after_request
    def keep_named_content(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        given = request.args.get("v")
        if given and given == digest_of((request.view_args or {}).get("filename", "")):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_SECONDS
            response.cache_control.immutable = True
        return response
