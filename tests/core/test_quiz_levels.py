"""``Level: recall | application`` on a quiz question: parsed, counted for the course's rules, shown in item analysis."""
from lms.activities import get
from lms.core.content import check_course
from lms.core.frontmatter import split_front_matter
from lms.core.item_analysis import analyse_quiz
from lms.core.quiz import parse_quiz

QUIZ = """---
type: quiz
title: Уровни
---
## Сколько минут на ответ по заявке? {#recall}

Level: recall

- [x] 10–30
- [ ] 60

## Клиент написал в субботу в 23:00. Что делаете? {#apply}

Level: Application

- [x] Коротко отвечаю и называю, когда пришлю предложение
- [ ] Молчу до понедельника

## Без уровня {#none}

- [x] Да
- [ ] Нет
"""


def test_a_question_says_whether_it_asks_to_recall_or_to_apply():
    quiz, problems = parse_quiz(QUIZ, "quiz.md")
    assert problems == []
    assert [q.level for q in quiz.questions] == ["recall", "application", None]
    assert type(quiz.questions[1]).from_dict(quiz.questions[1].to_dict()).level == "application"


def test_an_unknown_level_is_a_problem_at_its_line():
    quiz, problems = parse_quiz(QUIZ.replace("Level: recall", "Level: memory"), "quiz.md")
    assert [(p.code, p.line) for p in problems] == [("quiz-level-unknown", 7)]
    assert quiz.questions[0].level is None


def test_the_share_of_application_questions_is_a_measure_the_course_rules_can_ask_for():
    doc = split_front_matter(QUIZ, "m/q.md")
    parsed = get("quiz").parse(doc, lambda text: __import__("lms.core.render", fromlist=["x"]).render_markdown(text))
    assert parsed.measures["application_percent"] == 33
    course = ("---\ntitle: К\nlanguage: ru\nrules:\n  each:\n    quiz: {application_percent: 60}\n---\n")
    files = {"course.md": course.encode(), "m/module.md": "---\ntitle: М\n---\n".encode(), "m/q.md": QUIZ.encode()}
    _content, problems, warnings = check_course("c", files, "c")
    assert problems == [] and any("application_percent" in w.message for w in warnings)


def test_item_analysis_shows_the_level_of_each_question():
    quiz, _problems = parse_quiz(QUIZ, "quiz.md")
    assert [s.level for s in analyse_quiz(quiz, [])] == ["recall", "application", None]
