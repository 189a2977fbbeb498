"""Problems are codes, worded at the edge in the reader's language: the course editor, its live
preview and refused publication in the trainer's interface language; the command line in its own
(English unless ``--language`` or ``LMS_CLI_LANGUAGE`` says otherwise); JSON with codes."""
import ast
import importlib
import json
import pkgutil
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import lms
from lms.core.content import DirectoryCheck
from lms.core.problems import MESSAGES, Problem

from support import ROOT, SAMPLE_COURSES, csrf_from, make_editor
from support.content import NEVER_OFFERED

LESSON = "01-basics/02-speed.md"
BROKEN = "---\ntitle: Скорость ответа\n---\nОтвечайте быстро.\n\nСм. [урок](99-missing.md)\n"
BROKEN_LINK = {
    "en": "link to '99-missing.md' points to no lesson or image of this course",
    "ru": "ссылка на «99-missing.md» не ведёт ни к одному уроку или изображению этого курса",
    "ar": "الرابط إلى «99-missing.md» لا يشير إلى أي درس أو صورة في هذه الدورة",
}


def choose_language(client, language: str) -> None:
    """What a user does with the language menu: the choice is kept on their account."""
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    assert client.post("/training/language", data={"csrf_token": token, "language": language}).status_code == 302


@pytest.mark.parametrize("language", ["ar", "ru"])
def test_a_trainer_sees_the_editors_problems_in_the_interface_language(client, auth, app, sample_course, language):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    choose_language(client, language)
    edit = f"/training/author/sample/edit?path={LESSON}"
    token = csrf_from(client.get(edit).get_data(as_text=True))

    preview = client.post(f"/training/author/sample/preview?path={LESSON}", data={"text": BROKEN},
                          headers={"X-CSRFToken": token}).get_json()
    assert [(p["line"], p["code"], p["message"]) for p in preview["problems"]] == [
        (6, "activity.broken-link", BROKEN_LINK[language])]

    client.post(edit, data={"csrf_token": token, "text": BROKEN, "action": "save"})
    for page in (client.get(edit), client.get("/training/author/sample/"),
                 client.post("/training/author/sample/publish", data={"csrf_token": token, "note": "Ссылка"})):
        html = page.get_data(as_text=True)
        assert BROKEN_LINK[language] in html, page.request.path
        assert BROKEN_LINK["en"] not in html and "points to no lesson" not in html


def test_an_authoring_error_is_worded_in_the_interface_language(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    choose_language(client, "ar")
    token = csrf_from(client.get("/training/author/").get_data(as_text=True))
    page = client.post("/training/author/sample/files", data={"csrf_token": token, "path": "../secret.md"},
                       follow_redirects=True).get_data(as_text=True)
    assert "must stay inside the course folder" not in page
    assert "يجب أن يبقى اسم الملف داخل مجلد الدورة" in page


def broken_course(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    lesson = tmp_path / "courses" / "sample" / "01-basics" / "02-speed.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nСм. [урок](99-missing.md)\n", encoding="utf-8")
    return tmp_path / "courses", lesson


def test_courses_check_speaks_the_command_lines_language(runner, tmp_path):
    root, lesson = broken_course(tmp_path)
    line = len(lesson.read_text(encoding="utf-8").rstrip("\n").split("\n"))
    english = runner.invoke(args=["lms", "courses", "check", str(root)])  # the site's default locale is ru
    assert english.exit_code == 1 and f"{lesson}:{line}: {BROKEN_LINK['en']}" in english.output
    russian = runner.invoke(args=["lms", "--language", "ru", "courses", "check", str(root)])
    assert russian.exit_code == 1 and f"{lesson}:{line}: {BROKEN_LINK['ru']}" in russian.output
    assert BROKEN_LINK["en"] not in russian.output
    arabic = runner.invoke(args=["lms", "courses", "check", str(root)], env={"LMS_CLI_LANGUAGE": "ar"})
    assert arabic.exit_code == 1 and f"{lesson}:{line}: {BROKEN_LINK['ar']}" in arabic.output
    refused = runner.invoke(args=["lms", "--language", "ru", "courses", "import", str(root)])
    assert refused.exit_code == 1 and BROKEN_LINK["ru"] in refused.output


def test_courses_check_strict_fails_on_a_warning_and_passes_without(runner, tmp_path):
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    talk = tmp_path / "courses" / "sample" / "02-practice" / "04-talk.md"
    talk.write_text(NEVER_OFFERED, encoding="utf-8")  # the module lists no activities: every file counts
    relaxed = runner.invoke(args=["lms", "courses", "check", str(tmp_path / "courses")])
    assert relaxed.exit_code == 0, relaxed.output
    assert (f"{talk}:10: warning: reply 'Никогда' is never offered: its condition 'points > 5' is never true"
            in relaxed.output)
    strict = runner.invoke(args=["lms", "courses", "check", "--strict", str(tmp_path / "courses")])
    assert strict.exit_code == 1 and "--strict" in strict.output
    russian = runner.invoke(args=["lms", "--language", "ru", "courses", "check", str(tmp_path / "courses")])
    assert (f"{talk}:10: предупреждение: ответ «Никогда» никогда не предлагается: его условие «points > 5» "
            f"никогда не выполняется") in russian.output


def test_an_accepted_warning_is_listed_but_never_fails_strict(runner, tmp_path, monkeypatch):
    accepted = Problem("c/s.md", 4, "scenario.never-offered", (("condition", "x"), ("reply", "Hi")), "warning", True)
    monkeypatch.setattr("lms.cli.check_directory", lambda *args: DirectoryCheck([], [], [accepted]))
    result = runner.invoke(args=["lms", "courses", "check", "--strict", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "c/s.md:4: accepted warning: reply 'Hi' is never offered" in result.output


def test_scenario_check_json_has_code_line_and_message(runner, tmp_path):
    scenario = tmp_path / "talk.md"
    scenario.write_text(NEVER_OFFERED.replace("(#end) points+1", "(#nowhere) points+1"), encoding="utf-8")
    report = json.loads(runner.invoke(args=["lms", "scenario", "check", str(scenario)]).output)
    assert {"code": "scenario.missing-step", "line": 9,
            "message": "link to '#nowhere', but no step has that id"} in report["errors"]
    assert report["path"] == str(scenario) and "best_path" in report

    scenario.write_text(NEVER_OFFERED, encoding="utf-8")
    result = runner.invoke(args=["lms", "--language", "ru", "scenario", "check", str(scenario)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["errors"] == [] and report["warnings"] == [{
        "code": "scenario.never-offered", "line": 10,
        "message": "ответ «Никогда» никогда не предлагается: его условие «points > 5» никогда не выполняется"}]


def test_quiz_parse_json_has_code_line_and_message(runner):
    result = runner.invoke(args=["lms", "quiz", "parse", str(ROOT / "tests" / "core" / "data" / "quiz_errors.md")])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert "questions" in data and isinstance(data["warnings"], list)
    assert data["errors"] and all(set(e) == {"code", "line", "message"} for e in data["errors"])
    assert all(e["code"] in MESSAGES for e in data["errors"] + data["warnings"]), data["errors"]


def test_a_stored_scenario_keeps_its_problems_as_codes_and_old_stored_ones_still_read():
    from lms.core.scenario import Scenario, parse_scenario

    scenario, problems = parse_scenario(NEVER_OFFERED.replace("(#end) points+1", "(#nowhere) points+1"), "s.md")
    restored = Scenario.from_dict(json.loads(json.dumps(scenario.to_dict())))
    assert restored.problems == scenario.problems and problems[0].code == "scenario.missing-step"
    old = dict(scenario.to_dict(), problems=[{"path": "s.md", "line": 9, "message": "an old English message"}])
    assert [str(p) for p in Scenario.from_dict(old).problems] == ["s.md:9: an old English message"]


# -- every code is defined and translated ------------------------------------------------------

LMS = Path(lms.__file__).parent
#: calls that report a problem, and the position of the code among their arguments
REPORTERS = {"Problem": 2, "AuthoringError": 0}
#: a module's own shorthand for reporting (``self.problem(line, CODE, ...)``): any argument may be the code
HELPERS = {"problem", "report"}


def all_modules() -> list:
    names = [m.name for m in pkgutil.walk_packages([str(LMS)], "lms.") if ".migrations" not in m.name]
    return [importlib.import_module(name) for name in names]


def reported_codes() -> list[tuple[str, int, object]]:
    """(file, line, code) of every problem the plugin can report, found in its source."""
    modules = {Path(m.__file__).resolve(): m for m in all_modules() if getattr(m, "__file__", None)}
    found = []
    for path, module in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in REPORTERS:
                arguments = node.args[REPORTERS[name]:REPORTERS[name] + 1]
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == "Problem" and name in ("of", "warning"):
                arguments = node.args[2:3]
            elif name in HELPERS:
                # a path or a key may be written out; a sentence (it has spaces) may not
                arguments = [a for a in node.args if not (isinstance(a, ast.Constant) and " " not in str(a.value))]
            else:
                continue
            for argument in arguments:
                if isinstance(argument, ast.Constant):
                    code = argument.value
                elif isinstance(argument, ast.Name) and argument.id.isupper():
                    code = getattr(module, argument.id, argument.id)
                elif any(isinstance(part, ast.Constant) and " " in str(part.value) for part in ast.walk(argument)):
                    code = ast.unparse(argument)  # an f-string or a sum of words: a sentence, not a code
                else:
                    continue  # a code handed on (a variable, a field), a path or a line: checked where written
                found.append((str(path.relative_to(LMS.parent)), node.lineno, code))
    return found


def test_every_problem_code_in_the_source_is_defined():
    found = reported_codes()
    assert len(found) > 150
    undefined = [f"{path}:{line}: {code!r}" for path, line, code in found if code not in MESSAGES]
    assert not undefined, "report problems with a code given its text by define(): " + "; ".join(undefined[:10])


def test_every_problem_text_is_translated_in_ru_and_ar():
    all_modules()
    assert len(MESSAGES) > 150
    for language in ("ru", "ar"):
        with open(LMS / "translations" / language / "LC_MESSAGES" / "lms.po", "rb") as handle:
            catalogue = {m.id: m.string for m in read_po(handle) if m.id}
        missing = [code for code, text in MESSAGES.items() if not catalogue.get(text)]
        assert not missing, f"{language}: no translation for the problems {missing[:10]}"
