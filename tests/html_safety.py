"""What a page must not contain once hostile text went into it, read with a real HTML5 parser.

The parser (html5lib, which follows the WHATWG algorithm browsers use) decodes entities and
builds the tree a browser would, so a payload that escaped its sink shows up as an element or
attribute here however it was spelled, and an escaped one stays text.
"""

import re
from pathlib import Path
from xml.etree import ElementTree

import html5lib

from trainer.config import PROJECT_ROOT
from trainer.static_files import file_digest

PAYLOADS_FILE = Path(__file__).parent / "resources" / "xss" / "payloads.txt"
PLACEHOLDERS = {"%TAB%": "\t", "%NL%": "\n", "%CR%": "\r", "%FF%": "\f", "%SOH%": "\x01"}

# The site's own scripts: files of static/js, loaded by src (as url_for names them), never
# inline.
SITE_SCRIPTS = frozenset(
    f"/static/js/{path.name}?v={file_digest(str(PROJECT_ROOT / 'static'), f'js/{path.name}')}"
    for path in (PROJECT_ROOT / "static/js").glob("*.js")
)
# Elements no page of ours has: each could only come from content.
FOREIGN_ELEMENTS = frozenset(
    {"iframe", "object", "embed", "frame", "frameset", "applet", "base", "style", "portal"}
)
# Attributes a browser follows as a URL (SVG animation values can set one).
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
     "lowsrc", "dynsrc", "codebase", "cite", "ping", "to", "from", "values", "by"}
)  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# As the URL standard parses: C0 controls and spaces around a URL, tabs and line breaks
# anywhere in it, are dropped before the scheme is read.
_URL_EDGES = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROLS = re.compile(r"[\x00-\x20\x7f]+")
_NAMESPACE = re.compile(r"^\{[^}]*\}")
_XLINK = "{http://www.w3.org/1999/xlink}"


def read_payloads(path: Path = PAYLOADS_FILE) -> list[str]:
    """The payloads of `path`, with their placeholders replaced."""
    payloads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line == "#" or line.startswith("# "):
            continue
        for placeholder, char in PLACEHOLDERS.items():
            line = line.replace(placeholder, char)
        payloads.append(line)
    return payloads


def parse(html: str) -> ElementTree.Element:
    """`html` as a browser builds it."""
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def _local(name: str) -> str:
    return "xlink:href" if name == f"{_XLINK}href" else _NAMESPACE.sub("", name).lower()


def _is_bad_url(name: str, value: str) -> bool:
    parts = value.split(";") if name == "values" else [value]  # SVG animation: a list
    return any(
        _TAB_OR_NEWLINE.sub("", part.strip(_URL_EDGES)).lower().startswith(BAD_SCHEMES)
        for part in parts
    )


def violations(page: str | ElementTree.Element) -> list[str]:
    """Each thing in `page` (HTML, or its parsed tree) that would run script or leave the
    page: empty for a safe page."""
    found = []
    for element in (parse(page) if isinstance(page, str) else page).iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag, attributes = _local(element.tag), {_local(k): v for k, v in element.attrib.items()}
        shown = f"<{tag} {attributes}>"[:200]
        if tag == "script" and (
            attributes.get("src") not in SITE_SCRIPTS or (element.text or "").strip()
        ):
            found.append(f"script element {shown}")
        if tag in FOREIGN_ELEMENTS:
            found.append(f"{tag} element {shown}")
        if tag == "meta" and attributes.get("http-equiv", "").strip().lower() == "refresh":
            found.append(f"meta refresh {shown}")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"event handler {name} {shown}")
            elif name in URL_ATTRIBUTES and _is_bad_url(name, value):
                found.append(f"{name} URL {shown}")
            elif name == "style" or name == "srcdoc":
                found.append(f"{name} attribute {shown}")
    return found


def text_of(tree: ElementTree.Element) -> str:
    """The parsed page's text, whitespace and control characters squeezed."""
    return squeeze(" ".join(tree.itertext()))


def squeeze(text: str) -> str:
    """`text` with every run of whitespace or control characters made one space."""
    return " ".join(_CONTROLS.sub(" ", text).split())
