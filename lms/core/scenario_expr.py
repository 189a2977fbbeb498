"""Conditions of role-play scenarios: a tiny, safe expression language.

Grammar (no ``eval``; every name is checked against declared variables)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := value (("<" | "<=" | ">" | ">=" | "==" | "!=") value)?
    value   := NAME | NUMBER | "-" NUMBER | "true" | "false" | "(" expr ")"

Names are variables (numbers or booleans) and the derived ``mood``.
``<``, ``<=``, ``>``, ``>=`` compare numbers; ``==`` and ``!=`` compare two
values of the same kind; ``and``/``or``/``not`` combine true/false values.

A parsed condition is a tree of tuples, JSON-serialisable as nested lists:
``("var", name)``, ``("const", value)``, ``("not", node)``,
``("and", node, node, ...)``, ``("or", node, node, ...)`` and
``("cmp", op, left, right)``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .problems import Problem, define

Value = int | float | bool
Node = tuple
BOOL = "true/false"
NUM = "number"
UNKNOWN = "?"

KEYWORDS = frozenset({"and", "or", "not", "true", "false", "if"})
COMPARE_OPS = ("<=", ">=", "==", "!=", "<", ">")
NAME_RE = re.compile(r"[^\W\d]\w*")
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[^\W\d]\w*)|(?P<op><=|>=|==|!=|<|>|\(|\)|-)|(?P<bad>\S))"
)


EQUALS = define("condition.equals", "condition '%(source)s': use '==' to compare ('=' sets a value in effects)")
SYMBOL = define("condition.symbol", "condition '%(source)s': unexpected '%(token)s': write 'and', 'or', 'not'")
CHARACTER = define("condition.character", "condition '%(source)s': unexpected character '%(token)s'")
ENDS_EARLY = define("condition.ends-early", "condition '%(source)s': the condition ends too early")
EMPTY = define("condition.empty", "condition '%(source)s': empty condition")
EXTRA = define("condition.extra",
               "condition '%(source)s': unexpected '%(token)s' (combine conditions with 'and' / 'or')")
MINUS = define("condition.minus", "condition '%(source)s': '-' must be followed by a number")
UNCLOSED = define("condition.unclosed", "condition '%(source)s': expected ')' but found '%(token)s'")
UNEXPECTED = define("condition.unexpected", "condition '%(source)s': unexpected '%(token)s'")
NEEDS_BOOLEANS = define("condition.needs-booleans", "condition '%(source)s': '%(op)s' needs true/false values on "
                                                    "both sides, got a number; compare it, e.g. 'x > 0'")
NUMBER_WITH_BOOLEAN = define("condition.number-with-boolean",
                             "condition '%(source)s': '%(op)s' compares a number with a true/false value")
BOOLEAN_WITH_NUMBER = define("condition.boolean-with-number",
                             "condition '%(source)s': '%(op)s' compares a true/false value with a number")
ORDER_NEEDS_NUMBERS = define("condition.order-needs-numbers", "condition '%(source)s': '%(op)s' compares numbers; "
                                                              "true/false values can only use == or !=")
UNDECLARED = define("condition.undeclared", "condition '%(source)s' uses '%(name)s', which is not declared; add it "
                                            "under 'variables:' in the front matter (e.g. '%(name)s: false')")
IS_A_NUMBER = define("condition.is-a-number",
                     "condition '%(source)s' is a number, not true/false; compare it, e.g. '%(source)s > 0'")


def kind_of(value: Any) -> str | None:
    """``BOOL`` or ``NUM`` for a variable value; None for anything else."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUM
    return None


@dataclass(frozen=True)
class ParsedCondition:
    """The result of parsing a condition: a tree, or its problems.

    The problems are at no path (``""``, line 0): the parser of the scenario
    moves them to its file and line (:meth:`Problem.relocated`). ``undefined``
    lists names that are not declared variables (they are also in ``errors``).
    ``tree`` is None whenever ``errors`` is not empty.
    """

    source: str
    tree: Node | None
    errors: tuple[Problem, ...] = ()
    undefined: tuple[str, ...] = ()
    names: frozenset[str] = field(default_factory=frozenset)


class _SyntaxError(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


class _Parser:
    def __init__(self, source: str, kinds: Mapping[str, str]):
        self.source = source
        self.kinds = kinds
        self.tokens = self._tokenize(source)
        self.pos = 0
        self.errors: list[tuple[str, dict[str, Any]]] = []
        self.undefined: list[str] = []
        self.names: set[str] = set()

    @staticmethod
    def _tokenize(source: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(source):
            m = _TOKEN_RE.match(source, pos)
            if m is None:  # only trailing whitespace is left
                break
            pos = m.end()
            if m.group("num") is not None:
                tokens.append(("num", m.group("num")))
            elif m.group("name") is not None:
                tokens.append(("name", m.group("name")))
            elif m.group("op") is not None:
                tokens.append(("op", m.group("op")))
            elif m.group("bad") is not None:
                bad = m.group("bad")
                if bad == "=":
                    raise _SyntaxError(EQUALS)
                if bad in "&|!":
                    raise _SyntaxError(SYMBOL, token=bad)
                raise _SyntaxError(CHARACTER, token=bad)
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise _SyntaxError(ENDS_EARLY)
        self.pos += 1
        return tok

    def at_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "name" and tok[1] == word

    def parse(self) -> tuple[Node, str]:
        if not self.tokens:
            raise _SyntaxError(EMPTY)
        node, kind = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise _SyntaxError(EXTRA, token=tok[1])
        return node, kind

    def _need_bool(self, kind: str, what: str) -> None:
        if kind not in (BOOL, UNKNOWN):
            self.errors.append((NEEDS_BOOLEANS, {"op": what}))

    def parse_or(self) -> tuple[Node, str]:
        node, kind = self.parse_and()
        items = [node]
        while self.at_word("or"):
            self.take()
            self._need_bool(kind, "or")
            right, rkind = self.parse_and()
            self._need_bool(rkind, "or")
            items.append(right)
            kind = BOOL
        return (("or", *items), BOOL) if len(items) > 1 else (node, kind)

    def parse_and(self) -> tuple[Node, str]:
        node, kind = self.parse_not()
        items = [node]
        while self.at_word("and"):
            self.take()
            self._need_bool(kind, "and")
            right, rkind = self.parse_not()
            self._need_bool(rkind, "and")
            items.append(right)
            kind = BOOL
        return (("and", *items), BOOL) if len(items) > 1 else (node, kind)

    def parse_not(self) -> tuple[Node, str]:
        if self.at_word("not"):
            self.take()
            node, kind = self.parse_not()
            self._need_bool(kind, "not")
            return ("not", node), BOOL
        return self.parse_compare()

    def parse_compare(self) -> tuple[Node, str]:
        left, lkind = self.parse_value()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in COMPARE_OPS:
            op = self.take()[1]
            right, rkind = self.parse_value()
            if UNKNOWN in (lkind, rkind):
                pass
            elif op in ("==", "!="):
                if lkind != rkind:
                    self.errors.append((NUMBER_WITH_BOOLEAN if lkind == NUM else BOOLEAN_WITH_NUMBER, {"op": op}))
            elif lkind != NUM or rkind != NUM:
                self.errors.append((ORDER_NEEDS_NUMBERS, {"op": op}))
            return ("cmp", op, left, right), BOOL
        return left, lkind

    def parse_value(self) -> tuple[Node, str]:
        kind, text = self.take()
        if kind == "num":
            return ("const", _number(text)), NUM
        if kind == "op" and text == "-":
            nkind, ntext = self.take()
            if nkind != "num":
                raise _SyntaxError(MINUS)
            return ("const", -_number(ntext)), NUM
        if kind == "op" and text == "(":
            node, vkind = self.parse_or()
            closing = self.take()
            if closing != ("op", ")"):
                raise _SyntaxError(UNCLOSED, token=closing[1])
            return node, vkind
        if kind == "name":
            if text == "true":
                return ("const", True), BOOL
            if text == "false":
                return ("const", False), BOOL
            if text in KEYWORDS:
                raise _SyntaxError(UNEXPECTED, token=text)
            self.names.add(text)
            declared = self.kinds.get(text)
            if declared is None:
                if text not in self.undefined:
                    self.undefined.append(text)
                return ("var", text), UNKNOWN
            return ("var", text), declared
        raise _SyntaxError(UNEXPECTED, token=text)


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def parse_condition(source: str, kinds: Mapping[str, str]) -> ParsedCondition:
    """Parse ``source`` given the kind (``BOOL``/``NUM``) of every known name.

    Never raises: syntax errors, type errors and undefined names are returned
    as problems that say what to write instead.
    """
    try:
        parser = _Parser(source, kinds)
        tree, kind = parser.parse()
    except _SyntaxError as exc:
        return ParsedCondition(source, None, (Problem.of("", 0, exc.code, source=source, **exc.params),))
    errors = [Problem.of("", 0, code, source=source, **params) for code, params in parser.errors]
    for name in parser.undefined:
        errors.append(Problem.of("", 0, UNDECLARED, source=source, name=name))
    if kind != BOOL and not parser.errors and not parser.undefined:
        errors.append(Problem.of("", 0, IS_A_NUMBER, source=source))
    if errors:
        return ParsedCondition(source, None, tuple(errors), tuple(parser.undefined), frozenset(parser.names))
    return ParsedCondition(source, tree, (), (), frozenset(parser.names))


def evaluate(node: Node, values: Mapping[str, Value]) -> Value:
    """Evaluate a condition tree against variable ``values``.

    ``mood`` is derived as ``experience - expectations`` unless given.
    Raises ``KeyError`` for a name that has no value.
    """
    tag = node[0]
    if tag == "const":
        return node[1]
    if tag == "var":
        name = node[1]
        if name == "mood" and "mood" not in values:
            return values["experience"] - values["expectations"]
        return values[name]
    if tag == "not":
        return not evaluate(node[1], values)
    if tag == "and":
        return all(evaluate(n, values) for n in node[1:])
    if tag == "or":
        return any(evaluate(n, values) for n in node[1:])
    if tag == "cmp":
        op, left, right = node[1], evaluate(node[2], values), evaluate(node[3], values)
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
    raise ValueError(f"not a condition node: {node!r}")


def tree_to_json(node: Node) -> list:
    """A condition tree as nested lists (for JSON)."""
    return [tree_to_json(x) if isinstance(x, tuple) else x for x in node]


def tree_from_json(data: list) -> Node:
    """The inverse of :func:`tree_to_json`."""
    if not isinstance(data, list) or not data or data[0] not in ("const", "var", "not", "and", "or", "cmp"):
        raise ValueError(f"not a condition tree: {data!r}")
    if data[0] in ("const", "var"):
        return (data[0], data[1])
    if data[0] == "cmp":
        return ("cmp", data[1], tree_from_json(data[2]), tree_from_json(data[3]))
    return (data[0], *(tree_from_json(x) for x in data[1:]))
