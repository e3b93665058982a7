"""Tests for deriving draft lessons from a source document (trainer.content.derive)."""

import pytest
import yaml

from tests.conftest import COURSE_TAXONOMY, DIMENSION_KEYS, RESOURCES
from trainer.content.derive import (
    INTRODUCTION,
    Section,
    derive_lessons,
    split_sections,
    write_lessons,
)

# A short document of our own with the source document's layout (the seed is not in the repo).
SEED = RESOURCES / "source" / "sprzedaz-b2b-b2c.txt"

SOURCE_TITLES = [
    "Wprowadzenie",
    "Różnice w procesie decyzyjnym",
    "Różnice w relacjach z klientami",
    "Różnice w strategii marketingowej",
    "Różnice w wartości transakcji",
    "Różnice w wymaganiach produktu",
    "Różnice w komunikacji",
    "Różnice w obszarze obsługi klienta",
    "Podsumowanie",
]

MARKDOWN = """\
# Sprzedaż B2B a B2C

Krótki wstęp przed pierwszą sekcją.

## Różnice w procesie decyzyjnym

W B2B decyduje zespół. W B2C zwykle jedna osoba.

- kilku decydentów
- długi proces

```python
# to jest komentarz w kodzie, nie nagłówek
print("ROI")
```

### Szczegóły

Podsekcja zostaje w treści.

## Zakończenie

Krótko.
"""


def source() -> str:
    """Return the seed document the course is derived from."""
    return SEED.read_text(encoding="utf-8")


def by_title(sections: list[Section]) -> dict[str, Section]:
    """Index sections by their title."""
    return {section.title: section for section in sections}


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return a lesson file's parsed front matter and its body."""
    empty, header, body = text.split("---\n", 2)
    assert empty == ""
    return yaml.safe_load(header), body


def test_source_has_intro_seven_dimensions_and_summary():
    sections = split_sections(source())

    assert [section.title for section in sections] == SOURCE_TITLES
    source_lines = source().removeprefix("\ufeff").splitlines()
    for section in sections[1:]:
        assert source_lines[section.line - 1] == section.title
    assert sections[0].line == 1


def test_source_headings_map_to_dimensions():
    lessons = derive_lessons(source(), "b2b-b2c", COURSE_TAXONOMY)

    dimensions = [split_front_matter(lesson.text)[0].get("dimension") for lesson in lessons]
    assert dimensions == [None, *DIMENSION_KEYS, None]


def test_podsumowujac_paragraphs_stay_in_the_section_they_follow():
    sections = by_title(split_sections(source()))

    marketing = sections["Różnice w strategii marketingowej"].body
    communication = sections["Różnice w komunikacji"].body
    assert "Podsumowując, oba rynki potrzebują marketingu" in marketing
    assert "Podsumowując, różnice dotyczą decyzji" in communication
    assert not any(title.startswith("Podsumowując") for title in sections)


def test_source_loses_no_line_and_emphasises_markets():
    sections = split_sections(source())
    titles = {section.title for section in sections}
    paragraphs = [p for section in sections for p in section.body.split("\n\n")]

    for line in source().splitlines():
        if line.strip() and line.strip() not in titles:
            assert line.strip() in [p.replace("**", "") for p in paragraphs]
    decision = by_title(sections)["Różnice w procesie decyzyjnym"].body
    assert decision.startswith("**B2B:** Decyzja o zakupie zapada")
    assert "\n\n**B2C:** Klient decyduje sam" in decision


def test_markdown_splits_at_h2_below_a_single_title():
    sections = split_sections(MARKDOWN)

    assert [section.title for section in sections] == [
        INTRODUCTION,
        "Różnice w procesie decyzyjnym",
        "Zakończenie",
    ]
    intro, decision, ending = sections
    assert intro.body == "Krótki wstęp przed pierwszą sekcją."
    assert "- kilku decydentów\n- długi proces" in decision.body
    assert (
        '```python\n# to jest komentarz w kodzie, nie nagłówek\nprint("ROI")\n```' in decision.body
    )
    assert "### Szczegóły\n\nPodsekcja zostaje w treści." in decision.body
    assert ending.body == "Krótko."
    lines = MARKDOWN.splitlines()
    assert [lines[decision.line - 1], lines[ending.line - 1]] == [
        "## Różnice w procesie decyzyjnym",
        "## Zakończenie",
    ]


def test_markdown_splits_at_top_level_when_several_exist():
    sections = split_sections("# Pierwsza\n\nTekst.\n\n## Pod\n\nWięcej.\n\n# Druga\n\nKoniec.\n")

    assert [(section.title, section.line) for section in sections] == [
        ("Pierwsza", 1),
        ("Druga", 9),
    ]
    assert sections[0].body == "Tekst.\n\n## Pod\n\nWięcej."


@pytest.mark.parametrize("text", [source(), MARKDOWN], ids=["plain", "markdown"])
def test_crlf_and_bom_give_the_same_sections(text):
    windows = "\ufeff" + text.replace("\n", "\r\n")

    assert split_sections(windows) == split_sections(text)
    assert derive_lessons(windows, "b2b-b2c", COURSE_TAXONOMY) == derive_lessons(
        text, "b2b-b2c", COURSE_TAXONOMY
    )


def test_plain_text_heading_needs_a_body_line_and_no_closing_punctuation():
    text = "Wstęp kończy się kropką.\nTytuł A\nTytuł B\nTreść sekcji.\nB2C: krótko\nKoniec:\nTekst."

    sections = split_sections(text)

    assert [section.title for section in sections] == [INTRODUCTION, "Tytuł B"]
    assert sections[0].body == "Wstęp kończy się kropką.\n\nTytuł A"
    assert sections[1].body == "Treść sekcji.\n\n**B2C:** krótko\n\nKoniec:\n\nTekst."
    assert sections[1].line == 3


def test_derive_lessons_front_matter():
    lessons = derive_lessons(source(), "b2b-b2c", COURSE_TAXONOMY)

    assert len(lessons) == 9
    slugs = []
    for position, lesson in enumerate(lessons, start=1):
        front_matter, body = split_front_matter(lesson.text)
        assert front_matter["title"] == SOURCE_TITLES[position - 1]
        assert front_matter["position"] == position
        assert front_matter["status"] == "draft"
        assert 1 <= front_matter["estimated_minutes"] <= 240
        assert 0 < len(front_matter["summary"]) <= 200
        assert lesson.filename == f"{position:02d}-{front_matter['slug']}.md"
        assert lesson.course_slug == "b2b-b2c"
        assert body.startswith("\n") and lesson.text.endswith(".\n")
        slugs.append(front_matter["slug"])
    assert slugs[1] == "roznice-w-procesie-decyzyjnym"
    assert slugs[7] == "roznice-w-obszarze-obslugi-klienta"
    assert len(set(slugs)) == len(slugs)
    decision, _ = split_front_matter(lessons[1].text)
    assert list(decision) == [
        "title",
        "slug",
        "position",
        "dimension",
        "summary",
        "estimated_minutes",
        "status",
    ]
    assert decision["summary"] == "B2B: Decyzja o zakupie zapada w zespole i trwa tygodniami."


def test_derive_lessons_makes_slugs_unique_and_sizes_lessons():
    long_body = " ".join(["słowo"] * 151) + "."
    text = f"## Żółć\n\n{long_body}\n\n## Żółć\n\nA.\n\n## ŻÓŁĆ!\n\nB.\n"

    lessons = derive_lessons(text, "kurs")

    front_matters = [split_front_matter(lesson.text)[0] for lesson in lessons]
    assert [fm["slug"] for fm in front_matters] == ["zolc", "zolc-2", "zolc-3"]
    assert [lesson.filename for lesson in lessons] == ["01-zolc.md", "02-zolc-2.md", "03-zolc-3.md"]
    assert [fm["estimated_minutes"] for fm in front_matters] == [2, 1, 1]
    assert front_matters[0]["summary"].endswith("…")
    assert len(front_matters[0]["summary"]) <= 200


@pytest.mark.parametrize("course_slug", ["", "B2B", "b2b b2c", "-kurs"])
def test_derive_lessons_rejects_a_bad_course_slug(course_slug):
    with pytest.raises(ValueError, match="course slug"):
        derive_lessons(source(), course_slug)


def test_write_lessons_is_all_or_nothing(tmp_path):
    lessons = derive_lessons(source(), "b2b-b2c", COURSE_TAXONOMY)
    out_dir = tmp_path / "lessons" / "b2b-b2c"

    paths = write_lessons(lessons, out_dir)

    assert [path.name for path in paths] == [lesson.filename for lesson in lessons]
    assert all(p.read_text(encoding="utf-8") == x.text for p, x in zip(paths, lessons, strict=True))
    paths[0].write_text("edited by hand\n", encoding="utf-8")
    paths[-1].unlink()

    with pytest.raises(FileExistsError, match=paths[0].name):
        write_lessons(lessons, out_dir)

    assert paths[0].read_text(encoding="utf-8") == "edited by hand\n"
    assert not paths[-1].exists()

    assert write_lessons(lessons, out_dir, force=True) == paths
    assert paths[0].read_text(encoding="utf-8") == lessons[0].text
    assert paths[-1].read_text(encoding="utf-8") == lessons[-1].text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\ufeff\r\n  \n\t\n", []),
        ("Jedno zdanie bez nagłówków.", [Section(INTRODUCTION, "Jedno zdanie bez nagłówków.")]),
        (
            "Pierwsza linia.\r\nDruga linia.\n",
            [Section(INTRODUCTION, "Pierwsza linia.\n\nDruga linia.")],
        ),
        ("Samotny tytuł bez treści", [Section(INTRODUCTION, "Samotny tytuł bez treści")]),
        ("# Tylko tytuł\n\nTreść.", [Section("Tylko tytuł", "Treść.", 1)]),
    ],
    ids=["empty", "blank", "one-sentence", "two-lines", "lone-short-line", "lone-md-heading"],
)
def test_edge_cases(text, expected):
    assert split_sections(text) == expected
    assert len(derive_lessons(text, "kurs")) == len(expected)
