"""Links built once for many values, such as the rows of a table or an export."""

from collections.abc import Callable
from urllib.parse import quote

# What Werkzeug's URL converters leave unquoted in a path segment.
_SEGMENT_SAFE = "!$&'()*+,/:;=@"
# Built into a link in place of the value; no path of ours contains it otherwise.
_MARKER = "7031958264"


def link_maker(build: Callable[..., str], endpoint: str, argument: str) -> Callable[[object], str]:
    """`build(endpoint, argument=value)` for many values, such as a table's links.

    The link is built once around a marker, then each value is quoted into the marker's place
    as Werkzeug's string and number converters put it in a path segment: building every link
    through the URL map costs about 20 µs, and a report page's rows built a tenth of its
    time that way.
    """
    before, after = build(endpoint, **{argument: _MARKER}).split(_MARKER)
    return lambda value: before + quote(str(value), safe=_SEGMENT_SAFE) + after
