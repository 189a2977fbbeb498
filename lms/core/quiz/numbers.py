"""Exact numbers of quizzes: learners' numbers, authors' numeric answers, weights, rounding.

Points, weights, numeric answers and scores are :class:`~decimal.Decimal`, so
``33.33% x 3`` and ``0.1 + 0.2`` behave as a person expects.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ..problems import Problem, define
from ..textnorm import normalize_digits

__all__ = [
    "FRACTION_STEP", "SCORE_STEP", "PERCENT_STEP", "SUM_TOLERANCE", "NumericSpecError",
    "json_number", "to_decimal", "plain_decimal", "parse_number", "parse_numeric_spec",
    "looks_numeric", "round_fraction", "weight_to_fraction", "percent_text", "weight_in_range",
]

FRACTION_STEP = Decimal("0.0000001")   # precision of weights (fractions)
SCORE_STEP = Decimal("0.0001")         # precision of scores in points
PERCENT_STEP = Decimal("0.01")         # precision of percentages
SUM_TOLERANCE = Decimal("0.005")       # 33.33% x 3 counts as 100 %

NUMERIC_RANGE_REVERSED = define(
    "quiz-numeric-range-reversed",
    "range '%(spec)s' goes from %(low)s down to %(high)s; write the smaller number first (%(high)s..%(low)s)")
NUMERIC_NEGATIVE_TOLERANCE = define(
    "quiz-numeric-negative-tolerance", "tolerance in '%(spec)s' must not be negative")
NUMERIC_NOT_NUMBER = define(
    "quiz-numeric-not-number",
    "numeric answer '%(spec)s' is not a number; write a number ('42'), a number with a tolerance "
    "('42 ± 2' or '42 +- 2') or a range ('10..30')")
WEIGHT_OUT_OF_RANGE = define(
    "quiz-weight-out-of-range", "weight %(weight)s%% is out of range; use %(low)s%% to 100%%")

_NUM = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"^({_NUM})\s*\.\.\s*({_NUM})$")
_TOL_RE = re.compile(rf"^({_NUM})\s*(?:±|\+-|\+/-)\s*({_NUM})$")
_EXACT_RE = re.compile(rf"^({_NUM})$")
_LOOKS_NUMERIC_RE = re.compile(rf"^\s*{_NUM}\s*(?:±|\+-|\+/-|\.\.)")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u066b": ".", "\u066c": ","})


class NumericSpecError(ValueError):
    """An author's numeric answer that cannot be read: a problem ``code`` with its ``params``.

    ``str()`` of the error is the English text of the code.
    """

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(Problem.of("", 0, code, **params).message)


def json_number(value: Decimal) -> int | float:
    """JSON number for a Decimal: int when integral, else float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, an int, a float (by its shortest repr) or a string."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def plain_decimal(d: Decimal) -> str:
    """Decimal without exponent and without trailing zeros: 2.50 -> '2.5'."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _comma_decimal(token: str) -> Decimal:
    return Decimal(token.replace(",", "."))


def parse_number(raw: str | int | float | Decimal) -> Decimal:
    """Parse a learner's number; raise ``ValueError`` if it is not one.

    Accepts ``3.5``, ``3,5`` (comma as decimal separator), ``1 000`` (spaces
    between digit groups), ``1,000.5``, ``-2``, ``1e3``, Arabic-Indic digits
    and the Unicode minus sign. Rejects NaN, infinity and booleans.
    """
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError("not a finite number")
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        raise ValueError("not a number")
    text = normalize_digits(raw).translate(_MINUS_SIGNS)
    text = re.sub(r"[\s\u00a0\u202f\u2009_']", "", text)
    if "," in text and "." in text:
        text = text.replace(",", "")          # 1,000.5
    if text.count(",") == 1:
        text = text.replace(",", ".")         # 3,5
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", text):
        raise ValueError("not a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueError("not a number") from exc


def parse_numeric_spec(spec: str) -> tuple[Decimal, Decimal, Decimal | None, Decimal | None]:
    """Parse an author's numeric answer ``42``, ``42 ± 2``, ``42 +- 2`` or ``10..30``.

    Returns ``(low, high, value, tolerance)``; value/tolerance are ``None``
    for a range. Raises :class:`NumericSpecError` (a ``ValueError``) whose
    problem code says what to write.
    """
    text = normalize_digits(spec.strip()).translate(_MINUS_SIGNS)
    m = _RANGE_RE.match(text)
    if m:
        low, high = _comma_decimal(m.group(1)), _comma_decimal(m.group(2))
        if low > high:
            raise NumericSpecError(NUMERIC_RANGE_REVERSED, spec=spec.strip(), low=plain_decimal(low),
                                   high=plain_decimal(high))
        return low, high, None, None
    m = _TOL_RE.match(text)
    if m:
        value, tol = _comma_decimal(m.group(1)), _comma_decimal(m.group(2))
        if tol < 0:
            raise NumericSpecError(NUMERIC_NEGATIVE_TOLERANCE, spec=spec.strip())
        return value - tol, value + tol, value, tol
    m = _EXACT_RE.match(text)
    if m:
        value = _comma_decimal(m.group(1))
        return value, value, value, Decimal(0)
    raise NumericSpecError(NUMERIC_NOT_NUMBER, spec=spec.strip())


def looks_numeric(text: str) -> bool:
    """Whether an author clearly meant ``text`` as a number with a tolerance or a range."""
    return bool(_LOOKS_NUMERIC_RE.match(normalize_digits(text)))


def round_fraction(value: Decimal) -> Decimal:
    """Round a weight to 7 decimal places (0.3333333) and drop trailing zeros."""
    result = value.quantize(FRACTION_STEP).normalize()
    return result if result != 0 else Decimal(0)


def weight_to_fraction(text: str) -> Decimal:
    """'50' / '-33.33' / '50,5' (percent) -> fraction, 7 decimal places."""
    return round_fraction(_comma_decimal(text) / 100)


def weight_in_range(fraction: Decimal, low_percent: int) -> bool:
    """Whether a weight lies between ``low_percent`` % and 100 %."""
    return Decimal(low_percent) / 100 <= fraction <= 1


def percent_text(fraction: Decimal) -> str:
    """A fraction as the percentage an author writes: 0.3333333 -> '33.33333'."""
    return plain_decimal((fraction * 100).quantize(Decimal("0.00001")).normalize())
