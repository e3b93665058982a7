"""Markdown rendering: the extensions we use, and nothing unsafe gets through."""

import re

import pytest

from trainer.config import PROJECT_ROOT
from trainer.content.loader import load_content
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


@pytest.mark.parametrize(
    "source",
    [
        '<h2 id="x">Sekcja</h2>',
        '<div class="button">Kup</div>',
        '<p class="flash flash-error" id="main">Twoje konto wygasło</p>',
        "Akapit\n{: .flash-success #notice }",
        "[Zaloguj się](https://example.com){: .button #submit }",
        "![obraz](https://example.com/a.png){: .card }",
        "## Sekcja {: .button }",
        '<span class="skip-link">x</span>',
    ],
)
def test_authors_cannot_set_ids_or_classes(source: str) -> None:
    html = render_markdown(f"Tekst\n\n{source}\n")
    assert "class=" not in html
    assert not re.search(r'id="(x|main|notice|submit)"', html), html


def test_only_the_toc_gives_headings_their_ids() -> None:
    html = render_markdown('## Proces w B2B {#b2b}\n\n<h2 id="b2b">Podróbka</h2>\n\n## Zażółć\n')
    assert html.count('id="b2b"') == 1 and '<h2 id="b2b">Proces w B2B</h2>' in html
    assert "<h2>Podróbka</h2>" in html
    assert '<h2 id="zazolc">' in html


def test_code_blocks_keep_their_text_but_not_the_language_class() -> None:
    html = render_markdown("```python\nprint(1)\n```\n")
    assert "<pre><code>print(1)" in html


def test_every_section_a_question_links_to_keeps_its_id_in_the_real_course() -> None:
    """The quiz's "read more" links (`lesson#anchor`) land on the toc's heading ids."""
    courses = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
    lessons = {lesson.slug: lesson for course in courses for lesson in course.lessons}
    linked = [q for course in courses for q in course.questions if q.anchor]
    assert linked
    for question in linked:
        assert f'id="{question.anchor}"' in render_markdown(lessons[question.lesson].body)
    for lesson in lessons.values():
        rendered = re.findall(r'<h[1-6] id="([^"]+)"', render_markdown(lesson.body))
        assert rendered == [anchor for anchor, _ in heading_ids(lesson.body)]
