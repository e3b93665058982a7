"""`content lint`: each check firing and not, the bank figures, waivers, the CLI and the page."""

import json
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import RESOURCES
from trainer.authoring import lint, lint_text
from trainer.authoring.lint_bayes import market_from_words, option_guessability
from trainer.content.model import CourseData, OptionData, QuestionData

LINT_CONTENT = RESOURCES / "lint"


def scenario(
    key: str,
    options: list[str],
    situation: str = "Ktoś ogląda towar w sklepie i pyta o cenę.",
    market: str = "B2C",
    correct: int = 0,
) -> QuestionData:
    """A scenario of the given options, the first (or `correct`-th) keyed."""
    return QuestionData(
        key=key, type="scenario", difficulty=2, explanation="Bo tak.", lesson="lekcja",
        dimension="decision_process", market=market, situation=situation,
        options=tuple(
            OptionData(text, "Dlaczego.", index == correct) for index, text in enumerate(options)
        ),
        source=f"quizzes/kurs/bank.yaml:{len(key)}",
    )  # fmt: skip


def course(*questions: QuestionData, waivers: dict | None = None) -> CourseData:
    return CourseData(slug="kurs", title="Kurs", questions=questions, lint=waivers or {})


def findings(report: lint.CourseReport, check: str) -> list[lint.Finding]:
    return [f for f in report.findings if f.check == check]


SAME_LENGTH = ["Zaproponuję jazdę próbną.", "Wyślę tabelę parametrów.", "Umówię drugą wizytę."]


# key_longest


@pytest.mark.parametrize(
    ("key_text", "expected"),
    [
        ("Zaproponuję jazdę próbną.", None),
        ("Zaproponuję jazdę próbną tu.", "warning"),
        ("Zaproponuję jazdę próbną po mieście i nad jeziorem w weekend.", "error"),
    ],
)
def test_key_longest(key_text: str, expected: str | None) -> None:
    item = scenario("q1", [key_text, "Wyślę tabelę parametrów.", "Umówię drugą wizytę."])
    found = findings(lint.lint_course(course(item)), "key_longest")
    assert [f.severity for f in found] == ([expected] if expected else [])


# option_form


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Zaproponuję rabat.", lint_text.FIRST_SINGULAR),
        ("Nie zrobię nic.", lint_text.FIRST_SINGULAR),
        ("Od razu wyślę etykietę.", lint_text.FIRST_SINGULAR),
        ("Powiem uczciwie, jak jest.", lint_text.FIRST_SINGULAR),
        ("Zapytam o model.", lint_text.FIRST_SINGULAR),
        ("Od razu wysyłam umowę.", lint_text.FIRST_SINGULAR),
        ("Zaproponujemy pakiet.", lint_text.FIRST_PLURAL),
        ("Zadzwonić do klienta.", lint_text.INFINITIVE),
        ("Zrobiłam to od razu.", lint_text.PAST),
        ("Kampania w mediach społecznościowych.", lint_text.OTHER),
    ],
)
def test_option_form_reads_the_first_verb(text: str, form: str) -> None:
    assert lint_text.option_form(text) == form


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (SAME_LENGTH, None),
        (["Zadzwonić do klienta.", "Wyślę tabelę parametrów.", "Umówię drugą wizytę."], "error"),
        (["Zaproponuję jazdę.", "Wysłać tabelę parametrów.", "Lista parametrów."], "warning"),
        (["Zaproponowałem jazdę.", "Wysłałem tabelę.", "Umówiłem wizytę."], "warning"),
    ],
)
def test_option_form(options: list[str], expected: str | None) -> None:
    found = findings(lint.lint_course(course(scenario("q1", options))), "option_form")
    assert [f.severity for f in found] == ([expected] if expected else [])


# wrong_only_word


def test_words_only_wrong_options_use_are_listed_and_flagged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lint, "WRONG_ONLY_MIN_ITEMS", 2)
    items = [
        scenario("q1", ["Pokażę model.", "Dam rabat, żeby kupił.", "Wyślę cennik."]),
        scenario("q2", ["Umówię jazdę.", "Dam rabat, żeby wrócił.", "Wyślę katalog."]),
        scenario("q3", ["Wyślę ofertę.", "Zadzwonię, żeby przypomnieć.", "Poczekam."]),
    ]
    report = lint.lint_course(course(*items))
    listed = dict(report.wrong_only)
    assert listed["żeby"] == 3 and listed["rabat"] == 2
    assert "wyślę" not in listed  # a keyed option uses it too
    assert "dam rabat" not in listed  # made of a listed word
    assert [f.key for f in findings(report, "wrong_only_word")] == ["q1", "q2", "q3"]


def test_a_phrase_in_few_items_is_not_flagged() -> None:
    items = [scenario("q1", ["Pokażę model.", "Dam rabat, żeby kupił.", "Wyślę cennik."])]
    report = lint.lint_course(course(*items))
    assert report.wrong_only == [] and not findings(report, "wrong_only_word")


# market_giveaway


@pytest.mark.parametrize(
    ("situation", "market", "fires"),
    [
        ("Dyrektor finansowy zakładu pyta o okres zwrotu.", "B2B", True),
        ("Pani Ewa kupuje prezent dla wnuka.", "B2C", True),
        # a cue for the other market too: the surface misleads, as in a mixed item
        ("Dyrektor zakładu kupuje prezent dla wnuka za własne pieniądze.", "B2C", False),
        # the only cue points away from the key
        ("Właścicielka salonu kupuje prezent dla klientek na firmę.", "B2B", False),
        ("Ktoś pyta o cenę drukarki.", "B2B", False),
    ],
)
def test_market_giveaway(situation: str, market: str, fires: bool) -> None:
    item = scenario("q1", SAME_LENGTH, situation=situation, market=market)
    assert bool(findings(lint.lint_course(course(item)), "market_giveaway")) == fires


def test_giveaways_find_words_and_phrases() -> None:
    cues = lint_text.giveaways("Dział zakupów prosi o fakturę VAT; mąż kupuje prezent.")
    assert cues == {"B2B": ["dział zakupów", "fakturę vat"], "B2C": ["prezent", "mąż"]}


# near_duplicate

BASE = (
    "Właścicielka kwiaciarni w centrum miasta zamawia co tydzień kwiaty cięte w hurtowni. "
    "Tym razem pyta o rabat za stałe zamówienia i o dostawę przed ósmą rano."
)


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (BASE.replace("kwiaty cięte", "róże"), "error"),
        ("Właścicielka kwiaciarni w centrum miasta zamawia co tydzień kwiaty cięte w hurtowni. "
         "Ostatnio narzeka, że część dostaw przychodzi za późno i że ceny rosną.", "warning"),
        ("Student kupuje pierwszy laptop na studia i pyta, czy wystarczy mu na pięć lat.", None),
    ],
)  # fmt: skip
def test_near_duplicate(other: str, expected: str | None) -> None:
    items = [scenario("q1", SAME_LENGTH, BASE), scenario("q2", SAME_LENGTH, other)]
    found = findings(lint.lint_course(course(*items)), "near_duplicate")
    assert [(f.key, f.severity, f.params["other"]) for f in found] == (
        [("q2", expected, "q1")] if expected else []
    )


# name_reused


def test_names_skip_sentence_starts_places_and_forms_of_address() -> None:
    text = (
        "Pani Ewa Kowalczyk z piekarni „Złoty Kłos” w Warszawie mówi: „Przekonał mnie Pan”. "
        "Potem dzwoni do Medisoftu."
    )
    assert lint_text.names(text) == ["Ewa", "Kowalczyk", "Złoty", "Kłos", "Medisoftu"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Kowalczyk", "Kowalczykowie", True),
        ("Medisoft", "MedSoft", True),
        ("Farmalab", "Farmalog", True),
        ("CleanPro", "Cleanpro", True),
        ("Marek", "Marta", False),
        ("Krok", "Kroku", True),
        ("Dąbrowska", "Dąbek", False),
    ],
)
def test_same_name(a: str, b: str, same: bool) -> None:
    assert lint_text.same_name(a, b) == same


def test_name_reused_is_reported_on_the_later_item() -> None:
    items = [
        scenario("q1", SAME_LENGTH, "Jan z firmy Termoplast pyta o formy."),
        scenario("q2", SAME_LENGTH, "Hurtownia kupuje u Termoplastu granulat."),
        scenario("q3", SAME_LENGTH, "Ktoś inny pyta o rower u Zenona w Krakowie."),
    ]
    found = findings(lint.lint_course(course(*items)), "name_reused")
    assert [(f.key, f.params) for f in found] == [("q2", {"name": "„Termoplastu”", "other": "q1"})]


# the bank figures


def test_option_guessability_on_a_bank_whose_wording_gives_the_key_away() -> None:
    items = [(["tak dobrze", "nie źle"], 0)] * 3
    figure = option_guessability(items)
    assert (figure.hits, figure.items, figure.chance) == (3, 3, 0.5)


def test_option_guessability_is_chance_when_options_share_their_words() -> None:
    # Every option of an item has the same words: all tie, and a tie of k scores 1/k.
    items = [(["jazda próbna", "próbna jazda", "jazda próbna"], 0), (["jazda", "jazda"], 1)]
    figure = option_guessability(items)
    assert figure.hits == pytest.approx(1 / 3 + 1 / 2)
    assert figure.rate == pytest.approx(figure.chance)


def test_market_from_words_on_a_bank_worked_out_by_hand() -> None:
    # Held out, each of the first four is told by its words; the last B2C situation uses
    # only B2B words, so the other items' words send it the wrong way: 4 of 5.
    items = [
        ("firma faktura", "B2B"),
        ("firma faktura", "B2B"),
        ("dom rodzina", "B2C"),
        ("dom rodzina", "B2C"),
        ("firma faktura", "B2C"),
    ]
    figure = market_from_words(items)
    assert (figure.hits, figure.items, figure.rate, figure.chance) == (4, 5, 0.8, 0.6)


def test_the_report_carries_the_figures() -> None:
    items = [
        scenario("q1", ["Pokażę to.", "Wyślę tamto.", "Dam owo."], "firma faktura", "B2B"),
        scenario("q2", ["Pokażę to.", "Wyślę tamto.", "Dam owo."], "dom rodzina", "B2C", 1),
    ]
    report = lint.lint_course(course(*items))
    assert (report.items, report.scenarios) == (2, 2)
    assert report.guessability.chance == pytest.approx(1 / 3)
    assert report.as_dict()["figures"]["market_from_words"]["items"] == 2


# waivers


def test_waived_warnings_are_reported_apart_and_errors_stay() -> None:
    long_key = ["Zaproponuję jazdę próbną po mieście i nad jeziorem w weekend.", *SAME_LENGTH[1:]]
    items = [
        scenario("q1", SAME_LENGTH, "Dyrektor zakładu pyta o okres zwrotu.", "B2B"),
        scenario("q2", long_key),
    ]
    waivers = {
        "q1": {"market_giveaway": "Sygnał ma być wyraźny."},
        "q2": {"key_longest": "Dłuższy opis jest potrzebny.", "option_form": "Już nie dotyczy."},
    }
    report = lint.lint_course(course(*items, waivers=waivers))
    assert [(f.key, f.check, f.waived) for f in report.waived] == [
        ("q1", "market_giveaway", "Sygnał ma być wyraźny.")
    ]
    assert report.warnings == []
    assert [(f.key, f.check) for f in report.errors] == [("q2", "key_longest")]
    assert report.unused_waivers == [("q2", "key_longest"), ("q2", "option_form")]


def test_every_finding_has_a_page_text_and_every_check_a_label() -> None:
    from trainer.author.lint_views import CHECK_LABELS, FINDING_TEXTS

    assert FINDING_TEXTS.keys() == lint.MESSAGES.keys()
    assert CHECK_LABELS.keys() == set(lint.CHECKS)


# the real course


def test_the_course_meets_the_item_quality_targets() -> None:
    """The bank of Sprzedaż B2B a B2C: hard to game by wording, no errors, warnings waived."""
    from trainer.config import PROJECT_ROOT
    from trainer.content.loader import load_content

    [course] = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
    report = lint.lint_course(course)
    assert report.guessability.rate <= 0.40
    assert report.market.rate <= 0.70
    assert report.errors == []
    assert report.warnings == []
    assert report.unused_waivers == []


# the command line


@pytest.fixture
def lint_app(app: Flask) -> Flask:
    app.config.update(
        LESSONS_DIR=str(LINT_CONTENT / "lessons"), QUIZZES_DIR=str(LINT_CONTENT / "quizzes")
    )
    return app


def test_cli_prints_findings_then_figures_and_fails_on_errors(
    lint_app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        "quizzes/jakosc/bank.yaml:20: jk-02: key_longest: error: "
        "the keyed option is much the longest, 3.78× the longest wrong one"
    )
    assert "quizzes/jakosc/bank.yaml:54: jk-04: name_reused: warning: „Kowalczykowie” also " \
        "names someone or something in jk-01" in lines  # fmt: skip
    assert any(
        line.startswith("quizzes/jakosc/bank.yaml:37: jk-03: market_giveaway: waived: ")
        for line in lines
    )
    assert "jakosc: unused waiver: jk-04: key_longest" in lines
    assert "  option-only guessability: 25.0% (1 of 4), chance 33.3%" in lines
    assert lines[-1] == "  1 error(s), 3 warning(s), 1 waived"


def test_cli_json(lint_app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["content", "lint", "--json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert (document["errors"], document["warnings"], document["waived"]) == (1, 3, 1)
    [report] = document["courses"]
    assert report["course"] == "jakosc"
    assert report["figures"]["option_guessability"] == {
        "hits": 1, "items": 4, "rate": 0.25, "chance": 0.3333
    }  # fmt: skip
    [error] = report["errors"]
    assert error == {
        "id": "jk-02", "path": "quizzes/jakosc/bank.yaml", "line": 20, "check": "key_longest",
        "severity": "error", "code": "key_much_longer",
        "message": "the keyed option is much the longest, 3.78× the longest wrong one",
        "params": {"ratio": "3.78"}, "waived": None,
    }  # fmt: skip
    assert report["waived"][0]["waived"].startswith("Pytanie na rozgrzewkę")
    assert report["unused_waivers"] == [{"id": "jk-04", "check": "key_longest"}]


def test_cli_exits_zero_with_warnings_only(
    lint_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    shutil.copytree(LINT_CONTENT, tmp_path / "content")
    bank = tmp_path / "content" / "quizzes" / "jakosc" / "bank.yaml"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(
        text.replace(
            "Zaproponuję jazdę próbną nad pobliski staw i pokażę, jak wygodnie jeździ się na "
            "tym rowerze w weekend.",
            "Zaproponuję jazdę próbną.",
        ),
        encoding="utf-8",
    )
    lint_app.config.update(
        LESSONS_DIR=str(tmp_path / "content" / "lessons"),
        QUIZZES_DIR=str(tmp_path / "content" / "quizzes"),
    )
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "  0 error(s), 3 warning(s), 1 waived"


def test_cli_reports_files_that_do_not_load(
    lint_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    shutil.copytree(LINT_CONTENT, tmp_path / "content")
    (tmp_path / "content" / "quizzes" / "jakosc" / "bank.yaml").write_text("questions: 3\n")
    lint_app.config.update(
        LESSONS_DIR=str(tmp_path / "content" / "lessons"),
        QUIZZES_DIR=str(tmp_path / "content" / "quizzes"),
    )
    result = runner.invoke(args=["content", "lint"])
    assert result.exit_code == 1
    assert "quizzes/jakosc/bank.yaml:1: questions: must be a list" in result.output


# the page


def test_page_shows_findings_and_figures_to_trainers(
    lint_app: Flask, client: FlaskClient, login_as
) -> None:
    login_as("trainer")
    response = client.get("/author/lint/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Item quality</h1>" in html
    assert "jk-02" in html and "quizzes/jakosc/bank.yaml:20" in html
    assert "the keyed option is much the longest, 3.78× the longest wrong one" in html
    assert "Pytanie na rozgrzewkę" in html  # the waiver's reason
    assert "25.0% (1/4)" in html and "33.3%" in html


def test_page_speaks_polish(lint_app: Flask, polish_client: FlaskClient, make_user) -> None:
    make_user("trener@example.com", "trainer")
    polish_client.post(
        "/login", data={"email": "trener@example.com", "password": "correct horse battery"}
    )
    html = polish_client.get("/author/lint/").get_data(as_text=True)
    assert "Jakość pytań" in html
    assert "najdłuższa" in html


def test_overview_links_to_the_page(lint_app: Flask, client: FlaskClient, login_as) -> None:
    login_as("trainer")
    assert 'href="/author/lint/"' in client.get("/author/").get_data(as_text=True)


@pytest.mark.parametrize(("roles", "status"), [((), 403), (("hr",), 403), (("trainer",), 200)])
def test_page_is_for_trainers(
    lint_app: Flask, client: FlaskClient, login_as, roles: tuple[str, ...], status: int
) -> None:
    login_as(*roles)
    assert client.get("/author/lint/").status_code == status


def test_anonymous_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/author/lint/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
