"""The Markdown quiz parser: front matter settings, questions, and every problem at its file line.

See ``docs/quiz-format.md`` for the format. :func:`parse_quiz` returns the quiz
(best effort) and the problems found; each question type builds and checks its
own fields (:mod:`lms.core.quiz.types`).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..accept import BAD_LIST, accept, front_matter_acceptances, marker_problems
from ..frontmatter import Document, split_front_matter
from ..problems import ERROR, Problem, define
from .check import QUIZ_WIDE, WARNING_CODES, check_quiz
from .model import DEFAULT_SETTINGS, FEEDBACK_MODES, LAYOUTS, Question, Quiz, QuizSettings
from .numbers import NumericSpecError, looks_numeric, parse_number, parse_numeric_spec, to_decimal
from .registry import STRATEGIES, Report, strategy_for, type_aliases
from .scan import RawQuestion, split_sections, strip_blank_lines, take_markers

__all__ = ["parse_quiz", "parse_quiz_document", "validate_question"]

DUPLICATE_ID = define(
    "quiz-duplicate-id",
    "duplicate question id '%(id)s' (also used by the question on line %(first_line)s); give each question "
    "its own '{#id}' at the end of its heading")
NO_QUESTIONS = define("quiz-no-questions", "quiz has no questions; start each question with a '## ' heading")
BAD_ID = define(
    "quiz-bad-id",
    "question id '%(id)s' may only use lower-case letters, digits, '-' and '_'; write {#%(suggestion)s}")
UNKNOWN_TYPE = define("quiz-unknown-type", "unknown question type '%(type)s'; use one of: %(types)s")
NO_ANSWERS = define(
    "quiz-no-answers",
    "question has no answers: add options ('- [x] right' / '- [ ] wrong'), 'Answer:' lines, pairs "
    "('- left -> right'), a numbered list for ordering, or 'Type: open' / 'Type: description'")
OPTIONS_NOT_ALLOWED = define(
    "quiz-options-not-allowed",
    "a %(type)s question cannot have options ('- [x]' / '- [ ]'); remove them or change 'Type:'")
ANSWERS_NOT_ALLOWED = define(
    "quiz-answers-not-allowed", "a %(type)s question cannot have 'Answer:' lines; remove them or change 'Type:'")
RUBRIC_NOT_ALLOWED = define("quiz-rubric-not-allowed", "'Rubric:' is only for open questions ('Type: open')")
POINTS_NOT_POSITIVE = define("quiz-points-not-positive", "points must be more than 0, not '%(value)s'")
LEVEL_UNKNOWN = define("quiz-level-unknown", "level '%(value)s' is not known; write 'Level: recall' (the learner "
                                            "repeats what the lesson said) or 'Level: application' (a new situation)")
#: what a question asks of the learner: to recall the lesson, or to apply it to a situation the lesson did not show
LEVELS = ("recall", "application")
POINTS_NOT_NUMBER = define("quiz-points-not-number", "points '%(value)s' is not a number; write e.g. 'Points: 2'")
LESSON_NOT_RELATIVE = define(
    "quiz-lesson-not-relative",
    "lesson '%(lesson)s' must be a relative path to a lesson file in this course, like '01-reality.md'")
LESSON_NOT_MARKDOWN = define(
    "quiz-lesson-not-markdown",
    "lesson '%(lesson)s' must name a lesson file ending in '.md', like '01-reality.md'")
UNKNOWN_SETTING = define("quiz-unknown-setting", "unknown setting '%(key)s'; did you mean '%(suggestion)s'?")
WRONG_FILE_TYPE = define("quiz-wrong-type", "front matter says 'type: %(type)s'; a quiz file needs 'type: quiz'")
NO_TITLE = define("quiz-no-title", "quiz has no title; add 'title: ...' to the front matter")
BAD_PASS_MARK = define(
    "quiz-bad-pass-mark", "pass_mark must be a percentage from 0 to 100 (e.g. 'pass_mark: 80'), not '%(value)s'")
BAD_ATTEMPTS = define(
    "quiz-bad-attempts", "attempts must be a whole number of attempts, 0 for unlimited, not '%(value)s'")
BAD_TIME_LIMIT = define(
    "quiz-bad-time-limit", "time_limit must be a whole number of minutes, 0 for no limit, not '%(value)s'")
BAD_POOL = define("quiz-bad-pool", "pool must be a whole number of questions to draw, 0 for all, not '%(value)s'")
NOT_BOOLEAN = define("quiz-setting-not-boolean", "%(key)s must be true or false, not '%(value)s'")
NOT_ALLOWED = define("quiz-setting-not-allowed", "%(key)s must be one of %(allowed)s, not '%(value)s'")
POOL_TOO_BIG_ONE = define(
    "quiz-pool-too-big-one",
    "pool is %(pool)s but the quiz has only %(count)s question; lower the pool to %(count)s or less (0 = all)")
POOL_TOO_BIG = define(
    "quiz-pool-too-big",
    "pool is %(pool)s but the quiz has only %(count)s questions; lower the pool to %(count)s or less (0 = all)")

_FRONT_MATTER_KEYS = ("type", "title", "accept", *DEFAULT_SETTINGS)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def parse_quiz(text: str, path: str) -> tuple[Quiz, list[Problem]]:
    """Parse a whole quiz file (front matter + Markdown body).

    Returns the quiz (best effort, even when there are problems) and the
    problems found, each with the file line. The quiz should only be
    published when the problem list is empty.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")   # files saved on Windows
    doc = split_front_matter(text, path)
    return parse_quiz_document(doc, source=text)


def parse_quiz_document(doc: Document, source: str | None = None) -> tuple[Quiz, list[Problem]]:
    """Parse a quiz already split by :func:`split_front_matter`.

    Pass the original file text as ``source`` to get exact line numbers for
    bad settings; without it they are reported at line 1.
    """
    problems: list[Problem] = list(doc.problems)
    path = doc.path
    setting_lines = _front_matter_lines(source, doc.body_line) if source is not None else {}

    def report(line: int, code: str, **params: Any) -> None:
        problems.append(Problem.of(path, line, code, **params))

    body_lines = [line.rstrip("\r") for line in doc.body.split("\n")]
    body_lines, acceptances = take_markers(body_lines, doc.body_line)
    front_lines = source.lstrip("\ufeff").split("\n")[: max(doc.body_line - 1, 0)] if source is not None else []
    front, bad_accept = front_matter_acceptances(doc.meta.get("accept"), setting_lines.get("accept", 1), front_lines)
    acceptances += front
    if bad_accept:
        report(setting_lines.get("accept", 1), BAD_LIST)
    intro, raws = split_sections(body_lines, doc.body_line, report)

    questions: list[Question] = []
    ids_seen: dict[str, int] = {}
    for position, raw in enumerate(raws, start=1):
        before = len(problems)
        q = _build_question(raw, position, report)
        build_failed = len(problems) > before
        if q.id in ids_seen:
            report(raw.line, DUPLICATE_ID, id=q.id, first_line=ids_seen[q.id])
        else:
            ids_seen[q.id] = raw.line
        if not build_failed:   # otherwise the specific problems already say it
            problems.extend(validate_question(q, path))
        questions.append(q)

    title, settings = _parse_settings(doc.meta, setting_lines, questions, intro, report)
    quiz = Quiz(title=title, questions=tuple(questions), settings=settings,
                description=strip_blank_lines(intro), path=path)
    if not raws:
        report(doc.body_line, NO_QUESTIONS)
    if not any(p.severity == ERROR for p in problems):
        problems.extend(check_quiz(quiz, path))   # teaching checks: warnings, on a quiz that parses
        problems.extend(marker_problems(path, acceptances, WARNING_CODES))
        problems = accept(problems, acceptances, QUIZ_WIDE)   # what the author accepted stays listed, marked
    problems.sort()
    return quiz, problems


def validate_question(q: Question, path: str = "") -> list[Problem]:
    """Structural checks shared by the Markdown and GIFT parsers, reported at the question's line."""
    if q.type not in STRATEGIES:
        return [Problem.of(path, q.line, UNKNOWN_TYPE, type=q.type, types=list(STRATEGIES))]
    return [Problem.of(path, q.line, code, **params) for code, params in strategy_for(q).validate(q)]


def _front_matter_lines(source: str, body_line: int) -> dict[str, int]:
    lines = source.lstrip("\ufeff").split("\n")
    found: dict[str, int] = {}
    for number in range(2, max(2, body_line - 1)):
        if number - 1 >= len(lines):
            break
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[number - 1])
        if m:
            found.setdefault(m.group(1), number)
    return found


def _infer_type(raw: RawQuestion) -> str | None:
    """The type a question without ``Type:`` has, from the structures it uses."""
    if raw.options:
        texts = {o.text.strip().casefold() for o in raw.options}
        if len(raw.options) == 2 and texts == {"true", "false"}:
            return "true_false"
        checked = [o for o in raw.options if o.checked]
        if len(checked) == 1 and all(o.weight is None for o in raw.options):
            return "single"
        return "multiple"
    if raw.answers:
        if len(raw.answers) == 1 and raw.answers[0].value.strip().casefold() in ("true", "false"):
            return "true_false"
        if all(_is_numeric_spec(a.value) for a in raw.answers):
            return "numeric"
        if any(looks_numeric(a.value) for a in raw.answers):
            return "numeric"   # clearly meant as numbers: report what is wrong
        return "short"
    if raw.pairs:
        return "matching"
    if raw.numbered:
        return "ordering"
    if "rubric" in raw.keys:
        return "open"
    return None


def _is_numeric_spec(text: str) -> bool:
    try:
        parse_numeric_spec(text)
    except NumericSpecError:
        return False
    return True


def _build_question(raw: RawQuestion, position: int, report: Report) -> Question:
    line = raw.line
    qid = f"q{position}"
    if raw.explicit_id is not None:
        if _ID_RE.match(raw.explicit_id):
            qid = raw.explicit_id
        else:
            suggestion = re.sub(r"[^a-z0-9_-]+", "-", raw.explicit_id.strip().lower()).strip("-")
            report(line, BAD_ID, id=raw.explicit_id, suggestion=suggestion or f"q{position}")

    qtype = None
    if "type" in raw.keys:
        tline, tvalue = raw.keys["type"]
        qtype = type_aliases().get(re.sub(r"[\s/-]+", "_", tvalue.strip().lower()))
        if qtype is None:
            report(tline, UNKNOWN_TYPE, type=tvalue, types=list(STRATEGIES))
    if qtype is None:
        qtype = _infer_type(raw)
        if qtype is None and "type" not in raw.keys:
            report(line, NO_ANSWERS)
        qtype = qtype or "open"
    kind = strategy_for(qtype)

    # structures the type does not use are a mistake, not text
    if raw.options and not kind.accepts(raw, "options"):
        report(raw.options[0].line, OPTIONS_NOT_ALLOWED, type=qtype)
    if raw.answers and not kind.accepts(raw, "answers"):
        report(raw.answers[0].line, ANSWERS_NOT_ALLOWED, type=qtype)
    if raw.rubric and not kind.accepts(raw, "rubric"):
        report(raw.keys["rubric"][0], RUBRIC_NOT_ALLOWED)

    # text: lists the type does not take as answers stay part of it
    text_lines: list[str] = []
    for part, content in raw.parts:
        if part == "break":
            if text_lines and text_lines[-1].strip():
                text_lines.append("")
        elif part not in kind.consumes:
            text_lines.append(content)
    text = strip_blank_lines("\n".join(text_lines))

    points = Decimal(1) if kind.graded else Decimal(0)
    if "points" in raw.keys:
        pline, pvalue = raw.keys["points"]
        try:
            points = parse_number(pvalue)
            if kind.graded and points <= 0:
                report(pline, POINTS_NOT_POSITIVE, value=pvalue)
                points = Decimal(1)
        except ValueError:
            report(pline, POINTS_NOT_NUMBER, value=pvalue)

    lesson = None
    if "lesson" in raw.keys:
        lline, lvalue = raw.keys["lesson"]
        lesson = lvalue.strip() or None
        if lesson is not None:
            code = _lesson_problem(lesson)
            if code:
                report(lline, code, lesson=lesson)
    category = raw.keys["category"][1].strip() or None if "category" in raw.keys else None
    level = None
    if "level" in raw.keys:
        lvline, lvvalue = raw.keys["level"]
        level = lvvalue.strip().lower() or None
        if level not in LEVELS:
            report(lvline, LEVEL_UNKNOWN, value=lvvalue.strip())
            level = None
    explanation = strip_blank_lines("\n".join(raw.explanation))

    return Question(id=qid, type=qtype, title=raw.title, text=text, points=points,
                    explanation=explanation, lesson=lesson, category=category, level=level, line=line,
                    **kind.build(raw, report))


def _lesson_problem(lesson: str) -> str | None:
    target = lesson.split("#", 1)[0]
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "\\")):
        return LESSON_NOT_RELATIVE
    if not target.endswith(".md"):
        return LESSON_NOT_MARKDOWN
    return None


_NUMBER_SETTINGS = (  # key, lowest, highest, whole number, problem
    ("pass_mark", 0, 100, False, BAD_PASS_MARK),
    ("attempts", 0, None, True, BAD_ATTEMPTS),
    ("time_limit", 0, None, True, BAD_TIME_LIMIT),
    ("pool", 0, None, True, BAD_POOL),
)


def _parse_settings(meta: Mapping, lines: Mapping[str, int], questions: list[Question],
                    intro: str, report: Report) -> tuple[str, QuizSettings]:
    def where(key: str) -> int:
        return lines.get(key, 1)

    values = dict(DEFAULT_SETTINGS)
    for key in meta:
        key = str(key)
        if key in DEFAULT_SETTINGS or key in ("type", "title", "accept"):
            continue
        close = difflib.get_close_matches(key, _FRONT_MATTER_KEYS, n=1, cutoff=0.75)
        if close:
            report(where(key), UNKNOWN_SETTING, key=key, suggestion=close[0])

    kind = meta.get("type")
    if kind is not None and kind != "quiz":
        report(where("type"), WRONG_FILE_TYPE, type=str(kind))

    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        h1 = re.search(r"^ {0,3}#[ \t]+(.+?)[ \t]*$", intro, re.M)
        title = h1.group(1) if h1 else ""
        if not title:
            report(1, NO_TITLE)
    title = str(title).strip()

    for key, lo, hi, integer, code in _NUMBER_SETTINGS:
        if key not in meta:
            continue
        value = meta[key]
        ok = not isinstance(value, bool) and isinstance(value, (int, float) if not integer else int)
        if isinstance(value, float) and integer and value.is_integer():
            value, ok = int(value), True
        if ok and not (lo <= value and (hi is None or value <= hi)):
            ok = False
        if not ok:
            report(where(key), code, value=str(meta[key]))
            continue
        values[key] = to_decimal(value) if not integer else int(value)
    for key in ("shuffle_questions", "shuffle_options", "review"):
        if key in meta:
            if isinstance(meta[key], bool):
                values[key] = meta[key]
            else:
                report(where(key), NOT_BOOLEAN, key=key, value=str(meta[key]))
    for key, allowed in (("feedback", FEEDBACK_MODES), ("layout", LAYOUTS)):
        if key in meta:
            if meta[key] in allowed:
                values[key] = meta[key]
            else:
                report(where(key), NOT_ALLOWED, key=key, allowed=list(allowed), value=str(meta[key]))
    graded = sum(1 for q in questions if q.graded)
    if values["pool"] > graded:
        report(where("pool"), POOL_TOO_BIG_ONE if graded == 1 else POOL_TOO_BIG, pool=values["pool"], count=graded)
        values["pool"] = 0
    return title, QuizSettings(**values)
