"""What a learner reads in a quiz, paragraph by paragraph, for comparing two versions (pure)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.plain_text import paragraphs


def quiz_text(data: Mapping[str, Any]) -> list[str]:
    """The description, then each question: its title and text, its options (○), pairs and items,
    the feedback a learner gets (↳) and the explanation. Which answers are right stays in the source."""
    html = data.get("html") or {}
    text = paragraphs(data.get("description_html") or "")
    for question in data.get("questions") or []:
        rendered = html.get(question.get("id"), {})
        if question.get("title"):
            text.append(question["title"])
        text.extend(paragraphs(rendered.get("text") or ""))
        for option in question.get("options") or []:
            text.append(f"○ {option.get('text', '')}")
            if option.get("feedback"):
                text.append(f"↳ {option['feedback']}")
        text.extend(f"{pair.get('left', '')} → {pair.get('right', '')}" for pair in question.get("pairs") or [])
        text.extend(f"• {item.get('text', '')}" for item in question.get("items") or [])
        for answer in [*(question.get("answers") or []), *(question.get("numeric") or [])]:
            if answer.get("feedback"):
                text.append(f"↳ {answer['feedback']}")
        text.extend(paragraphs(rendered.get("explanation") or ""))
    return text
