"""Certificates of course completion: look-up by code, display values and the PDF."""

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import force_locale, format_date, format_percent
from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from trainer.extensions import db
from trainer.i18n import zone_of
from trainer.learning.progress import CODE_ALPHABET
from trainer.models import CourseCompletion, User

FONTS = Path(__file__).resolve().parent.parent / "fonts"
CODE_PATTERN = re.compile(rf"[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{2}}")


def normalize_code(code: str) -> str:
    """The one spelling of a code we compare: upper-cased, in groups of four joined by dashes,
    however it was typed (`k7qm 4xpa 2hrt`, `K7QM4XPA2HRT`, ` K7QM-4XPA-2HRT `)."""
    raw = re.sub(r"[\s\-\u2010-\u2015]+", "", code).upper()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if len(raw) == 12 else raw


# Its holder and course in the same statement: every certificate page shows them (the
# holder's roles, loaded with a user by default, are not needed). Built once, as building it
# cost more than running it.
_BY_CODE = (
    select(CourseCompletion)
    .where(CourseCompletion.certificate_code == bindparam("code"))
    .options(
        joinedload(CourseCompletion.user).lazyload(User.roles),
        joinedload(CourseCompletion.course),
    )
)


def certificate_by_code(code: str) -> CourseCompletion | None:
    """The completion whose certificate carries `code`; None for unknown or malformed codes."""
    code = normalize_code(code)
    if not CODE_PATTERN.fullmatch(code):
        return None
    return db.session.execute(_BY_CODE, {"code": code}).scalar_one_or_none()


def completion_date(completion: CourseCompletion) -> str:
    """The completion date in the holder's time zone, written out for the current locale."""
    local = completion.completed_at.astimezone(zone_of(completion.user))
    return format_date(local.date(), format="long")


def score_percent(completion: CourseCompletion) -> str:
    """The score as a percentage in the current locale's notation."""
    return format_percent(completion.score / 100)


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states, and all that verification may show: no contact details."""

    name: str
    course: str
    course_language: str
    date: str
    score: str
    code: str


def certificate_facts(completion: CourseCompletion) -> CertificateFacts:
    """The certificate's statements, formatted for the current locale."""
    return CertificateFacts(
        name=completion.user.display_name,
        course=completion.course.title,
        course_language=completion.course.language,
        date=completion_date(completion),
        score=score_percent(completion),
        code=completion.certificate_code,
    )


def render_certificate_pdf(completion: CourseCompletion, locale: str, verify_url: str) -> bytes:
    """An A4 landscape PDF certificate, labelled in `locale`, pointing at `verify_url`."""
    with force_locale(locale):
        facts = certificate_facts(completion)
        pdf = _CertificatePDF(orientation="landscape", unit="mm", format="A4")
        pdf.set_title(_("Certificate of completion"))
        pdf.set_author("Trainer")
        pdf.set_creator("Trainer")
        pdf.set_lang(locale)
        pdf.add_page()
        pdf.frame()
        pdf.line_of(_("Certificate of completion"), size=30, bold=True, before=22)
        pdf.line_of(_("This certificate is awarded to"), size=14, before=12)
        pdf.line_of(facts.name, size=26 if len(facts.name) <= 40 else 18, bold=True, before=4)
        pdf.line_of(_("for completing the course"), size=14, before=10)
        pdf.line_of(facts.course, size=20 if len(facts.course) <= 70 else 14, bold=True, before=4)
        dated = f"{_('Completion date')}: {facts.date}    {_('Score')}: {facts.score}"
        pdf.line_of(dated, size=13, before=14)
        pdf.set_y(-45)
        pdf.line_of(f"{_('Verification code')}: {facts.code}", size=12, bold=True)
        pdf.line_of(_("Verify this certificate at"), size=10, before=3)
        pdf.line_of(verify_url, size=10, link=verify_url)
        return bytes(pdf.output())


class _CertificatePDF(FPDF):
    """FPDF with the package's DejaVu fonts and two small layout helpers."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=False)
        self.set_margins(25, 20, 25)

    def frame(self) -> None:
        """A double border around the page."""
        self.set_draw_color(11, 92, 173)
        self.set_line_width(1.2)
        self.rect(10, 10, self.w - 20, self.h - 20)
        self.set_line_width(0.4)
        self.rect(14, 14, self.w - 28, self.h - 28)

    def line_of(
        self, text: str, size: float, bold: bool = False, before: float = 0, link: str = ""
    ) -> None:
        """A centred paragraph across the page, wrapped if it is too long."""
        self.set_y(self.get_y() + before)
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(27, 31, 36)
        self.multi_cell(0, size * 0.5, text, align="C", link=link, new_x="LMARGIN", new_y="NEXT")
