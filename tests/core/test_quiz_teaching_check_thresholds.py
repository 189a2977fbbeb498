"""The edges of the quiz bias checks as issue 16 words them: the longest option right in *more than half*
of at least four choice questions, the same position in *more than 60 %*, a tie for longest never counting."""
from lms.core.quiz import parse_quiz

HEAD = "---\ntitle: Edges\ntype: quiz\n---\n"
TITLES = ["Who greets guests at the door?", "How fast do we answer a lead?", "What does a customer hear?",
          "When is a promise kept?", "Which channel suits an urgent order?"]


def quiz(rows: list[list[tuple[str, bool]]]) -> list[tuple[str, dict]]:
    body = ""
    for n, options in enumerate(rows, 1):
        body += f"## {TITLES[n - 1]} {{#q{n}}}\n\n" + "".join(
            f"- [{'x' if right else ' '}] {text}\n" for text, right in options) + "\n"
    _quiz, problems = parse_quiz(HEAD + body, "quiz.md")
    return [(p.code, dict(p.params)) for p in problems]


LONG, SHORT, MID = "A long and detailed option", "Short", "Middling one"


def test_the_longest_option_right_in_exactly_half_is_not_reported_in_more_than_half_it_is():
    # the right answer moves (1, 2, 3, 1) so that position says nothing; it is the longest in two of four
    half = [[(LONG, True), (SHORT, False), (MID, False)], [(SHORT, False), (LONG, True), (MID, False)],
            [(LONG, False), (SHORT, False), (MID, True)], [(SHORT, True), (LONG, False), (MID, False)]]
    assert quiz(half) == []
    three = half[:3] + [[(LONG, True), (SHORT, False), (MID, False)]]
    assert quiz(three) == [("longest-option-bias", {"count": 3, "total": 4})]


def test_a_tie_for_the_longest_option_is_no_longest_option():
    tied = [[("Same size A", True), ("Same size B", False), (SHORT, False)],
            [(SHORT, False), ("Same size A", True), ("Same size B", False)],
            [(SHORT, False), ("Same size B", False), ("Same size A", True)],
            [("Same size A", True), (SHORT, False), ("Same size B", False)]]
    assert quiz(tied) == []


def test_the_same_position_in_exactly_60_percent_is_not_reported_in_more_it_is():
    first, second = [(SHORT, True), (MID, False), (LONG, False)], [(MID, False), (SHORT, True), (LONG, False)]
    assert quiz([first, first, first, second, second]) == []  # 3 of 5 = 60 %
    assert quiz([first, first, first, first, second]) == [("position-bias", {"position": 1, "count": 4, "total": 5})]
