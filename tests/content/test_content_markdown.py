"""Markdown rendering: the extensions we use, and nothing unsafe gets through."""

import pytest

from trainer.content.markdown import heading_ids, render_markdown


def test_tables_ids_fenced_code_and_attributes() -> None:
    html = render_markdown(
        "## Proces w B2B {#b2b}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```\nkod\n```\n\n## Zażółć gęślą jaźń\n"
    )
    assert '<h2 id="b2b">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>kod" in html
    assert 'id="zazolc-gesla-jazn"' in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[klik](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<object data="x.swf"></object>', "<object"),
        ('<form action="https://evil.example"><input></form>', "<form"),
    ],
)
def test_unsafe_html_is_removed(source: str, forbidden: str) -> None:
    assert forbidden not in render_markdown(f"Tekst\n\n{source}\n").lower()


def test_links_keep_safe_targets() -> None:
    html = render_markdown("[lekcja](proces-decyzyjny) i [strona](https://example.com)")
    assert 'href="proces-decyzyjny"' in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer"' in html


def test_heading_ids_match_rendered_ids() -> None:
    text = "# Tytuł\n\n## Sekcja {#sekcja}\n\n### Podsekcja\n"
    ids = [anchor for anchor, _ in heading_ids(text)]
    assert ids == ["tytul", "sekcja", "podsekcja"]
    html = render_markdown(text)
    assert all(f'id="{anchor}"' in html for anchor in ids)
