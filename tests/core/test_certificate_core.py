"""The pure parts of certificates: the rule, serials, status, PDF and the signed Open Badge."""
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from lms.certificates.pdf import render
from lms.core import certificates as core
from lms.core.content import load_course
from lms.core.status import course_score

UTC = dt.UTC


def course_files(certificate_yaml: str) -> dict[str, bytes]:
    return {
        "course.md": f"---\ntitle: Курс\nlanguage: ru\nmodules: [m]\n{certificate_yaml}---\nТекст\n".encode(),
        "m/module.md": b"---\ntitle: M\n---\n",
        "m/01-a.md": b"---\ntitle: A\n---\nText\n",
    }


def load(files):
    return load_course("c", files, "c")


def test_a_valid_rule_is_normalised_into_the_manifest():
    course, problems = load(course_files("certificate:\n  validity_months: 12\n  trainer: Анна\n"))
    assert problems == []
    rule = course.manifest()["certificate"]
    assert rule["require"] == "completed" and rule["validity_months"] == 12 and rule["trainer"] == "Анна"
    assert rule["min_score"] == 0


def test_no_certificate_key_means_no_certificate():
    course, problems = load(course_files(""))
    assert problems == [] and course.manifest()["certificate"] == {}


def test_unknown_keys_and_bad_values_are_reported_with_their_lines():
    course, problems = load(course_files(
        "certificate:\n  require: attended\n  min_score: 140\n  validity: 12\n  validity_months: -1\n"))
    messages = {p.line: p.message for p in problems}
    assert [str(p).split(":")[0] for p in problems] == ["c/course.md"] * 4
    assert "require: attended" in messages[6]
    assert "min_score: 140" in messages[7]
    assert "unknown certificate key 'validity'" in messages[8]
    assert "validity_months: -1" in messages[9]
    assert [(p.line, p.code) for p in problems] == [(6, core.BAD_REQUIREMENT), (7, core.BAD_MIN_SCORE),
                                                    (8, core.UNKNOWN_KEY), (9, core.BAD_VALIDITY)]


def test_a_flow_mapping_reports_on_its_line_and_a_scalar_is_refused():
    _course, problems = load(course_files("certificate: {require: completed, colour: red}\n"))
    assert [(p.line, "colour" in p.message) for p in problems] == [(5, True)]
    _course, problems = load(course_files("certificate: yes\n"))
    assert problems and "must be a mapping" in problems[0].message


def test_rule_thresholds_and_score():
    rule = core.check_rule({"min_score": 80})[0]
    assert course_score([90, 70]) == 80.0  # the one definition: lms.core.status
    assert core.rule_met(rule, True, 80.0)
    assert not core.rule_met(rule, True, 79.9)
    assert not core.rule_met(rule, False, 100)
    assert core.rule_met(rule, True, None)  # no quizzes: completion alone decides
    assert not core.rule_met({}, True, 100)


def test_expiry_adds_calendar_months_and_status_follows_time():
    issued = dt.datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert core.add_months(issued, 1) == dt.datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert core.expiry({"validity_months": 12}, issued) == dt.datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    assert core.expiry({"validity_months": 0}, issued) is None
    expires = dt.datetime(2027, 1, 31, tzinfo=UTC)
    assert core.status(expires, None, expires - dt.timedelta(seconds=1)) == core.VALID
    assert core.status(expires, None, expires) == core.EXPIRED
    assert core.status(None, expires, expires) == core.REVOKED


def test_serials_are_random_readable_and_normalised():
    serials = {core.new_serial() for _ in range(200)}
    assert len(serials) == 200
    serial = serials.pop()
    assert core.SERIAL_RE.match(serial)
    assert core.normalise_serial(serial.lower().replace("-", "")) == serial
    for bad in ("", "1", "ABCD-EFGH-IJKL-MNO1", "../../etc/passwd", "A" * 40):
        assert core.normalise_serial(bad) is None


def sheet(holder: str, rtl: bool = False) -> core.Sheet:
    return core.Sheet(
        heading="Сертификат" if not rtl else "شهادة", intro="Настоящим удостоверяется, что", holder=holder,
        completed_line="успешно прошёл курс", course="Основы сервиса", date_label="Дата", date="23.11.2026",
        organisation_label="Организация", organisation="ООО Сервис", trainer_label="Тренер", trainer="Игорь Смирнов",
        serial_label="Номер", serial="ABCD-EFGH-IJKL-MNOP", verify_label="Проверить",
        verify_url="https://lms.example/training/verify/ABCD-EFGH-IJKL-MNOP", expires_label="До",
        expires="23.11.2027", rtl=rtl,
    )


@pytest.mark.parametrize("holder, rtl", [("Мария Кузнецова", False), ("عمر حداد", True), ("Omar Haddad", False)])
def test_pdf_embeds_the_fonts_and_its_text_extracts(holder, rtl):
    data = render(sheet(holder, rtl))  # how long it takes: bench/, not a timed test
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297
    text = page.extract_text()
    assert "ABCD-EFGH-IJKL-MNOP" in text
    fonts = {str(font["/BaseFont"]).split("+")[-1]: font.get_object() for font in page["/Resources"]["/Font"].values()}
    assert {"NotoSans", "NotoSansBold"} <= set(fonts)
    for font in fonts.values():  # embedded (subset) TrueType, not a reference to a system font
        assert font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()["/FontFile2"]
    if rtl:
        assert "NotoSansArabicBold" in fonts
        # Shaped and reordered for display; extraction gives the words in visual order.
        assert all(word in text for word in holder.split())
    else:
        assert holder in text
