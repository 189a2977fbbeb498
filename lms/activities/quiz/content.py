"""A quiz's file: questions in Markdown, parsed and checked by :mod:`lms.core.quiz` (pure)."""
from __future__ import annotations

from collections.abc import Callable

from ...core.activities import ParsedActivity, link_target
from ...core.frontmatter import Document
from ...core.problems import WARNING
from ...core.quiz import parse_quiz_document
from ...core.render import Rendered

#: about 45 seconds a question, when the file does not say how long the quiz takes
MINUTES_PER_QUESTION = 0.75


def parse_quiz(doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
    quiz, problems = parse_quiz_document(doc, doc.source or None)
    data = quiz.to_dict()
    data["html"] = {
        q.id: {"text": render(q.text).html if q.text else "",
               "explanation": render(q.explanation).html if q.explanation else ""}
        for q in quiz.questions
    }
    data["lesson_links"] = {q.id: link_target(render, q.lesson) for q in quiz.questions if q.lesson}
    data["description_html"] = render(quiz.description).html if quiz.description else ""
    minutes = doc.meta.get("minutes") if isinstance(doc.meta.get("minutes"), int) else None
    if minutes is None:  # an attempt shows the pool (if any) plus the description blocks, not every question
        shown = quiz.settings.pool + sum(not q.graded for q in quiz.questions) if quiz.settings.pool \
            else len(quiz.questions)
        minutes = max(1, round(shown * MINUTES_PER_QUESTION))
    graded = [q for q in quiz.questions if q.graded]
    measures = {"questions": len(quiz.questions), "question_types": len({q.type for q in quiz.questions}),
                "application_percent": round(100 * sum(q.level == "application" for q in graded) / len(graded))
                if graded else 0}
    errors = [p for p in problems if p.severity != WARNING]
    warnings = [p for p in problems if p.severity == WARNING]
    return ParsedActivity(title=quiz.title, data=data, minutes=minutes, problems=errors, warnings=warnings,
                          measures=measures,
                          facts={"pass_mark": float(quiz.settings.pass_mark)})
