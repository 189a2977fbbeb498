"""Every question type as an xAPI 1.0.3 interaction, and the learner's answer in the response format."""
from __future__ import annotations

import datetime as dt

import pytest

from lms.core import xapi
from lms.core.quiz import (
    QUESTION_TYPES,
    AttemptTokens,
    parse_quiz,
    xapi_interaction,
    xapi_response,
)

QUIZ = """---
title: Every type
type: quiz
---

## Which greeting? {#greet}

Type: single

- [ ] Hi
- [x] Good morning
- [x] Good day

## Which belong in a reply? {#parts}

- [x] A deadline
- [ ] The whole price list
- [x] The manager's name

## A promise must be kept. {#promise}

Type: true_false
Answer: true

## Who greets guests at the door? {#host}

Answer: Host
Answer: Hostess
Answer: (50%) Waiter

## How many minutes to answer? {#speed}

Answer: 10..30
Answer: 42 ± 2
Answer: 7
Answer: (50%) 60

## Match channel and time {#channels}

- Messenger -> 10 minutes
- Mail -> 30 minutes
- Phone -> 10 minutes

## Put the steps in order {#steps}

1. Reply
2. Ask
3. Offer

## Write an apology {#apology}

Type: open
Rubric:
- Apology

## Read this first {#intro}

Type: description
"""


@pytest.fixture(scope="module")
def quiz():
    parsed, problems = parse_quiz(QUIZ, "every.md")
    assert not problems, problems
    return parsed


def definition(question) -> dict:
    return xapi_interaction(question).definition("en")


def components(question, name: str) -> list[tuple[str, str]]:
    return [(c["id"], c["description"]["en"]) for c in definition(question)[name]]


def test_every_question_type_has_an_interaction_type(quiz):
    expected = {"single": "choice", "multiple": "choice", "true_false": "true-false", "short": "fill-in",
                "numeric": "numeric", "matching": "matching", "ordering": "sequencing", "open": "long-fill-in",
                "description": "other"}
    assert set(expected) == set(QUESTION_TYPES)  # a new type must say what it is to an LRS
    for question in quiz.questions:
        assert definition(question)["interactionType"] == expected[question.type], question.type
    assert xapi.Interaction("other").definition("en") == {"interactionType": "other"}


def test_single_choice_lists_its_options_and_each_full_mark_option_is_a_correct_response(quiz):
    greet = quiz.question("greet")
    assert definition(greet)["correctResponsesPattern"] == ["b", "c"]
    assert components(greet, "choices") == [("a", "Hi"), ("b", "Good morning"), ("c", "Good day")]
    assert xapi_response(greet, "b") == "b"


def test_multiple_choice_responds_with_the_chosen_ids_joined(quiz):
    parts = quiz.question("parts")
    assert definition(parts)["correctResponsesPattern"] == ["a[,]c"]
    assert [cid for cid, _ in components(parts, "choices")] == ["a", "b", "c"]
    assert xapi_response(parts, ["c", "a"]) == "a[,]c"  # in the question's order
    assert xapi_response(parts, ["b"]) == "b"


def test_true_false_answers_true_or_false_without_components(quiz):
    promise = quiz.question("promise")
    assert definition(promise) == {"interactionType": "true-false", "correctResponsesPattern": ["true"]}
    assert xapi_response(promise, "false") == "false"


def test_short_answer_is_a_fill_in_with_every_full_mark_answer(quiz):
    host = quiz.question("host")
    assert definition(host) == {"interactionType": "fill-in", "correctResponsesPattern": ["Host", "Hostess"]}
    assert xapi_response(host, "  hostess! ") == "hostess!"  # as typed, trimmed


def test_numeric_ranges_are_min_colon_max_and_an_exact_number_stands_alone(quiz):
    speed = quiz.question("speed")
    assert definition(speed) == {"interactionType": "numeric",
                                 "correctResponsesPattern": ["10[:]30", "40[:]44", "7"]}
    assert xapi_response(speed, "15") == "15"
    assert xapi_response(speed, "1,5") == "1.5"  # the stored canonical number
    assert xapi.response_range(None, "4") == "[:]4" and xapi.response_range("4", None) == "4[:]"


def test_matching_pairs_source_and_target_ids(quiz):
    channels = quiz.question("channels")
    assert components(channels, "source") == [("a", "Messenger"), ("b", "Mail"), ("c", "Phone")]
    assert components(channels, "target") == [("r1", "10 minutes"), ("r2", "30 minutes")]
    assert definition(channels)["correctResponsesPattern"] == ["a[.]r1[,]b[.]r2[,]c[.]r1"]
    assert xapi_response(channels, {"c": "r2", "a": "r1"}) == "a[.]r1[,]c[.]r2"  # an unmatched left is left out


def test_ordering_is_a_sequencing_whose_choices_do_not_give_the_order_away(quiz):
    steps = quiz.question("steps")
    ids = {item.text: item.id for item in steps.items}
    right = "[,]".join(ids[text] for text in ("Reply", "Ask", "Offer"))
    assert definition(steps)["correctResponsesPattern"] == [right]
    assert [cid for cid, _ in components(steps, "choices")] == sorted(ids.values())
    assert xapi_response(steps, [ids["Offer"], ids["Ask"], ids["Reply"]]) == \
        "[,]".join(ids[text] for text in ("Offer", "Ask", "Reply"))


def test_an_open_answer_is_a_long_fill_in_that_a_trainer_scores(quiz):
    apology = quiz.question("apology")
    assert definition(apology) == {"interactionType": "long-fill-in"}
    assert xapi_response(apology, "We are sorry.\nIt comes at 3 pm.") == "We are sorry.\nIt comes at 3 pm."


def test_no_response_for_nothing_a_description_or_an_answer_the_question_does_not_take(quiz):
    assert xapi_response(quiz.question("greet"), None) is None
    assert xapi_response(quiz.question("host"), "   ") is None
    assert xapi_response(quiz.question("intro"), "x") is None
    assert xapi_response(quiz.question("greet"), "z") is None  # no such option (any more)


def test_components_are_authored_ids_never_the_attempts_tokens(quiz):
    tokens = AttemptTokens("secret", "attempt-1")
    for question in quiz.questions:
        kinds = ("option", "left", "right", "item")
        shown = {token for kind in kinds
                 if (question.options if kind == "option" else question.pairs if kind in ("left", "right")
                     else question.items)
                 for token in tokens.tokens(question, kind).values()}
        interaction = xapi_interaction(question)
        ids = {c.id for _, items in interaction.components for c in items}
        text = " ".join(interaction.correct)
        assert not ids & shown and not any(token in text for token in shown), question.type


def test_an_interaction_refuses_components_its_type_does_not_take():
    with pytest.raises(ValueError):
        xapi.Interaction("true-false", ("true",), (("choices", (xapi.Component("true", "True"),)),))
    with pytest.raises(ValueError):
        xapi.Interaction("drag-and-drop")


def test_an_answered_statement_carries_the_interaction_the_response_and_the_attempt_number(quiz):
    course = xapi.CourseRef("https://lms.example.com/training/courses/sample", "Sample", "ar")
    parent = xapi.activity(course.iri + "/m/quiz", "Every type", "quiz", "en")
    channels = quiz.question("channels")
    statement = xapi.question_answered(
        attempt_id=917, number=3, question_id="channels", actor=xapi.Actor("anna@example.com", "Anna"),
        course=course, iri=xapi.question_iri("https://lms.example.com/training", "sample", "m/quiz", "channels"),
        title=channels.title, language="en", quiz=parent, interaction=xapi_interaction(channels),
        response=xapi_response(channels, {"a": "r1", "b": "r1", "c": "r1"}), fraction=0.6667, points=0.6667,
        max_points=1, correct=False, answered=True, when=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), enrollment_id=5)
    activity = statement["object"]
    assert activity["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert activity["definition"]["interactionType"] == "matching"
    assert activity["definition"]["name"] == {"en": "Match channel and time"}
    assert activity["definition"]["source"][0] == {"id": "a", "description": {"en": "Messenger"}}
    assert statement["result"]["response"] == "a[.]r1[,]b[.]r1[,]c[.]r1"
    assert statement["result"]["success"] is False
    assert statement["context"]["extensions"][xapi.EXTENSION_BASE + "attempt"] == 3
    assert statement["context"]["language"] == "ar" and "version" not in statement

