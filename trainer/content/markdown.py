"""The one place Markdown becomes HTML: rendered, then sanitised, cached by content."""

from functools import lru_cache

import markdown as md
import nh3
from slugify import slugify


def _heading_slug(value: str, separator: str) -> str:
    # python-slugify transliterates Polish letters (ł -> l) where the default drops them.
    return slugify(value, separator=separator)


EXTENSIONS = ["tables", "toc", "fenced_code", "attr_list", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"slugify": _heading_slug}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# Keyed by the text itself (by its hash, then equality): an edited lesson is a new key.
@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Safe HTML for `text`: Markdown rendered, then cleaned to the allow-list."""
    html = md.markdown(
        text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def heading_ids(text: str) -> list[tuple[str, str]]:
    """The (id, title) of each heading of `text`, in order, as `render_markdown` gives them."""
    converter = md.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    converter.convert(text)
    found: list[tuple[str, str]] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            found.append((token["id"], token["name"]))
            walk(token["children"])

    walk(converter.toc_tokens)  # type: ignore[attr-defined]
    return found
