"""What a learner reads in a role-play, paragraph by paragraph, for comparing two versions (pure)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.plain_text import paragraphs


def scenario_text(data: Mapping[str, Any]) -> list[str]:
    """The introduction, then each step: its title, who says what, the prompt, the replies (→)
    and the debrief. Effects, conditions and routes stay in the source."""
    html = data.get("html") or {}
    text = paragraphs(data.get("intro_html") or "")
    for step in data.get("steps") or []:
        rendered = html.get(step.get("id"), {})
        if step.get("title"):
            text.append(step["title"])
        for line, line_html in zip(step.get("lines") or [], rendered.get("lines") or [], strict=False):
            spoken = " ".join(paragraphs(line_html))
            text.append(f"{line['speaker']}: {spoken}" if line.get("speaker") else spoken)
        text.extend(paragraphs(rendered.get("prompt") or ""))
        text.extend(f"→ {reply.get('text', '')}" for reply in step.get("replies") or [])
        text.extend(paragraphs(rendered.get("debrief") or ""))
    return text
