"""`lms quiz parse`, `lms quiz import-gift`, `lms scenario check` and quiz errors in `courses check`."""
import json
import shutil

from support import ROOT, SAMPLE_COURSES

CORE_DATA = ROOT / "tests" / "core" / "data"


def test_quiz_parse_prints_json_with_types_fractions_and_feedback(runner):
    result = runner.invoke(args=["lms", "quiz", "parse", str(SAMPLE_COURSES / "sample" / "02-practice" / "03-quiz.md")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    questions = {q["id"]: q for q in data["questions"]}
    assert questions["speed"]["type"] == "numeric" and questions["speed"]["numeric"][0]["min"] == "10"
    parts = questions["parts"]["options"]
    assert [o["fraction"] for o in parts][:2] == [0.5, 0.5]
    assert parts[2]["fraction"] < 0 and parts[2]["feedback"].startswith("Весь прайс")
    assert data["errors"] == []


def test_quiz_parse_reports_errors_with_file_and_line(runner):
    result = runner.invoke(args=["lms", "quiz", "parse", str(CORE_DATA / "quiz_errors.md")])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["path"] == str(CORE_DATA / "quiz_errors.md")
    assert data["errors"] and all(set(e) == {"code", "line", "message"} and e["line"] > 0 for e in data["errors"])


def test_import_gift_writes_a_quiz_that_parses(runner, tmp_path):
    out = tmp_path / "quiz.md"
    result = runner.invoke(args=["lms", "quiz", "import-gift", str(CORE_DATA / "moodle.gift"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and out.exists()
    parsed = runner.invoke(args=["lms", "quiz", "parse", str(out)])
    assert parsed.exit_code == 0, parsed.output
    types = {q["type"] for q in json.loads(parsed.output)["questions"]}
    assert {"single", "multiple", "true_false", "short", "numeric", "matching", "open"} <= types


def test_import_gift_refuses_a_file_that_is_not_utf8(runner, tmp_path):
    source = tmp_path / "old.gift"
    source.write_bytes("::Вопрос:: Столица? {=Москва ~Рим}".encode("cp1251"))
    result = runner.invoke(args=["lms", "quiz", "import-gift", str(source), "-o", str(tmp_path / "q.md")])
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert not (tmp_path / "q.md").exists()


def test_scenario_check_prints_the_graph_report(runner):
    result = runner.invoke(args=["lms", "scenario", "check", str(SAMPLE_COURSES / "sample" / "02-practice" / "02-call.md")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["endings"] == 3 and report["best_path"] == ["call", "later", "kept"] and report["errors"] == []


def test_scenario_check_finds_a_missing_step_and_an_unreachable_one(runner, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: T\ntype: scenario\n---\n\n## Start {#start}\n\n**Клиент:** Привет\n\n"
                   "- [Ответ](#nowhere) points+1\n- [Другой](#end)\n\n## Орphan {#orphan}\n\n- [x](#end)\n\n"
                   "## Конец {#end}\n\noutcome: lost\n")
    result = runner.invoke(args=["lms", "scenario", "check", str(bad)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["path"] == str(bad)
    assert {"code": "scenario.missing-step", "line": 10,
            "message": "link to '#nowhere', but no step has that id"} in report["errors"]
    assert any(e["code"] == "scenario.unreachable" and "'orphan'" in e["message"] for e in report["errors"])


def test_courses_check_reports_quiz_errors_like_other_content(runner, tmp_path):
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    quiz = tmp_path / "courses" / "sample" / "02-practice" / "03-quiz.md"
    quiz.write_text(quiz.read_text().replace("- [x] Улыбку в голосе", "- [ ] Улыбку в голосе"))
    result = runner.invoke(args=["lms", "courses", "check", str(tmp_path / "courses")])
    assert result.exit_code == 1
    assert f"{quiz}:" in result.output and "correct" in result.output.lower()
