"""How long a quiz takes, as the course outline shows it: a pooled quiz takes only the questions it draws."""
from lms.activities.quiz.content import MINUTES_PER_QUESTION, parse_quiz
from lms.core.frontmatter import split_front_matter
from lms.core.render import render_markdown


def quiz_file(count: int, pool: int | None = None, minutes: int | None = None) -> str:
    settings = "".join(f"{key}: {value}\n" for key, value in (("pool", pool), ("minutes", minutes)) if value)
    questions = "".join(f"## Question {n}?\n\n- [x] Yes\n- [ ] No\n\n" for n in range(1, count + 1))
    return f"---\ntype: quiz\ntitle: Final test\n{settings}---\n\n## Read this first\n\nType: description\n\n" \
           f"Some words.\n\n{questions}"


def minutes_of(text: str) -> int:
    return parse_quiz(split_front_matter(text, "quiz.md"), render_markdown).minutes


def test_a_quiz_without_a_pool_takes_every_question_and_block():
    assert minutes_of(quiz_file(24)) == round(25 * MINUTES_PER_QUESTION)


def test_a_pooled_quiz_takes_only_the_questions_an_attempt_draws():
    assert minutes_of(quiz_file(24, pool=12)) == round(13 * MINUTES_PER_QUESTION)  # 12 drawn + the description
    assert minutes_of(quiz_file(24, pool=12)) < minutes_of(quiz_file(24))


def test_minutes_written_in_the_file_win():
    assert minutes_of(quiz_file(24, pool=12, minutes=30)) == 30
