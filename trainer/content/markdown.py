"""The one place Markdown becomes HTML: rendered, then sanitised, cached by content.

Authors may not set `id` or `class` (raw HTML or `{: .class #id}`): a class would let a lesson
dress up as the site's own buttons and notices, an id would clash with the page's. The one id
kept is a heading's anchor as the toc extension gives it, which lessons and questions link to.
"""

import secrets
import xml.etree.ElementTree as ElementTree
from functools import lru_cache

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from slugify import slugify


def _heading_slug(value: str, separator: str) -> str:
    # python-slugify transliterates Polish letters (ł -> l) where the default drops them.
    return slugify(value, separator=separator)


EXTENSIONS = ["tables", "toc", "fenced_code", "attr_list", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"slugify": _heading_slug}}
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", *HEADINGS,
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    **{heading: {"id"} for heading in HEADINGS},  # only the toc's; see _MarkAnchors
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


class _MarkAnchors(Treeprocessor):
    """Prefixes each heading id the toc extension settled with a secret mark, after the toc
    ran and before raw HTML returns, so that the sanitiser can tell them from authors' ids."""

    def __init__(self, converter: md.Markdown, mark: str) -> None:
        super().__init__(converter)
        self.mark = mark

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            if element.tag in HEADINGS and "id" in element.attrib:
                element.set("id", self.mark + element.attrib["id"])


class _AnchorMarks(Extension):
    def __init__(self, mark: str) -> None:
        super().__init__()
        self.mark = mark

    def extendMarkdown(self, converter: md.Markdown) -> None:
        # The toc runs at priority 5 and attr_list at 8; a lower number runs later.
        converter.treeprocessors.register(_MarkAnchors(converter, self.mark), "anchor_marks", 4)


def _converter(*extensions: Extension) -> md.Markdown:
    return md.Markdown(
        extensions=[*EXTENSIONS, *extensions],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )


# Keyed by the text itself (by its hash, then equality): an edited lesson is a new key.
@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Safe HTML for `text`: Markdown rendered, then cleaned to the allow-list."""
    mark = f"m{secrets.token_hex(8)}-"
    html = _converter(_AnchorMarks(mark)).convert(text)

    def keep_marked_ids(tag: str, attribute: str, value: str) -> str | None:
        if attribute != "id":
            return value
        return value.removeprefix(mark) if value.startswith(mark) else None

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=keep_marked_ids,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def heading_ids(text: str) -> list[tuple[str, str]]:
    """The (id, title) of each heading of `text`, in order, as `render_markdown` gives them."""
    return list(_heading_ids(text))


# Cached like the rendering: the question editor lists the sections of every lesson.
@lru_cache(maxsize=512)
def _heading_ids(text: str) -> tuple[tuple[str, str], ...]:
    converter = _converter()
    converter.convert(text)
    found: list[tuple[str, str]] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            found.append((token["id"], token["name"]))
            walk(token["children"])

    walk(converter.toc_tokens)  # type: ignore[attr-defined]
    return tuple(found)
