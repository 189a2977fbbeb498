"""Problems found in content: a code and its parameters, put into words where they are shown.

The core never writes a sentence for a reader. A checker or parser reports
``Problem(path, line, code, params)``; the English text of each code is defined once,
next to the code that reports it, with :func:`define`::

    UNKNOWN_KEY = define("unknown-key", "unknown front matter key '%(key)s' (known: %(known)s)")
    ...
    problems.append(Problem.of(path, 1, UNKNOWN_KEY, key=key, known="title, type"))

The view or the command line translates it in the reader's language
(``problem.text(gettext)``, see :mod:`lms.problem_text`). ``pybabel extract`` finds the
texts through the ``define`` keyword (``-k define:2``), so they live in the ``.po`` files
like every other string.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING = "error", "warning"

#: code -> English text with ``%(name)s`` placeholders
MESSAGES: dict[str, str] = {}


def define(code: str, text: str) -> str:
    """Give ``code`` its English text (once; the same code cannot mean two things)."""
    if MESSAGES.get(code, text) != text:
        raise ValueError(f"problem code {code!r} is already defined with another text")
    MESSAGES[code] = text
    return code


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return value


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file.

    ``line`` is 1-based; 0 means the problem concerns the file as a whole. ``severity`` is
    ``error`` (the content cannot be used) or ``warning`` (it can, but probably teaches
    something wrong); ``accepted`` marks a warning the author accepted with a marker in
    the file: it is still listed, but never fails a check.
    """

    path: str
    line: int
    code: str
    params: tuple[tuple[str, Any], ...] = field(default=())
    severity: str = ERROR
    accepted: bool = False

    @classmethod
    def of(cls, path: str, line: int, code: str, /, *, severity: str = ERROR, accepted: bool = False,
           **params: Any) -> Problem:
        """A problem with its parameters given as keywords (lists are joined with commas)."""
        return cls(path, line, code, tuple(sorted((k, _frozen(v)) for k, v in params.items())), severity, accepted)

    @classmethod
    def warning(cls, path: str, line: int, code: str, /, **params: Any) -> Problem:
        return cls.of(path, line, code, severity=WARNING, **params)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.params)

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message in words: English, or through ``translate`` (a gettext) in the reader's language."""
        template = MESSAGES.get(self.code)
        if template is None:
            return self.code
        if translate is not None:
            template = translate(template)
        try:
            return template % self.arguments if self.params or "%(" in template else template
        except (KeyError, TypeError, ValueError):
            return MESSAGES[self.code] % self.arguments if self.params else MESSAGES[self.code]

    @property
    def message(self) -> str:
        """The English text (logs, tests); readers get :meth:`text` with their gettext."""
        return self.text()

    def relocated(self, path: str, line: int | None = None) -> Problem:
        """The same problem reported at another path (and line)."""
        return Problem(path, self.line if line is None else line, self.code, self.params, self.severity,
                       self.accepted)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def to_dict(self, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "code": self.code, "severity": self.severity,
                "accepted": self.accepted, "message": self.text(translate)}


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == WARNING]


def as_params(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, _frozen(v)) for k, v in mapping.items()))


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
