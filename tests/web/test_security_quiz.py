"""Quiz pages name choices by per-attempt tokens, never by the ids written in the quiz file.

The built-in course's authors wrote the right option first in every single-choice
question, so its authored id is always ``a``. These tests play the attacker (a
script that posts authored ids), check what the page gives away (values, names,
ids, the sorted order of the tokens), and that a learner who answers right
through the page still passes.
"""
from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import select

from lms.activities.quiz import service as quizzes
from lms.core.content import load_directory
from lms.core.quiz import TOKEN_LENGTH, AttemptTokens, Question, Quiz
from lms.models import QuizAttempt
from lms.state import db_session

from support import ROOT, SAMPLE_COURSES, csrf_from

BUILTIN = "/training/courses/service-excellence/"
SAMPLE_QUIZ = "/training/courses/sample/02-practice/03-quiz"
CHOICES = ("single", "multiple", "true_false")


def builtin_quizzes() -> list[tuple[str, Quiz]]:
    """(address, parsed quiz) of every quiz of the built-in course's Russian edition."""
    (course,), problems = load_directory(ROOT / "courses")
    assert problems == []
    return [(BUILTIN + a.key, Quiz.from_dict(a.data)) for a in course.editions["ru"].activities() if a.kind == "quiz"]


def sample_quiz() -> Quiz:
    (course,), _ = load_directory(SAMPLE_COURSES / "sample")
    activity = next(a for a in course.editions["ru"].activities() if a.kind == "quiz")
    return Quiz.from_dict(activity.data)


@pytest.fixture
def builtin(runner):
    result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output
    return builtin_quizzes()


@pytest.fixture
def fixed_seeds(monkeypatch):
    """Attempts drawn with seeds from a fixed sequence, so the tokens (and the statistics) repeat."""
    rng = random.Random(20240613)
    monkeypatch.setattr(quizzes, "secrets", SimpleNamespace(randbits=lambda bits: rng.getrandbits(bits)))


def start(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    assert client.post(url + "/quiz/start", data={"csrf_token": csrf_from(html)}).status_code == 302
    return client.get(url).get_data(as_text=True)


def attempt_of(html: str) -> str:
    return re.search(r'name="attempt" value="(\d+)"', html).group(1)


def pages(client, url: str, first: str):
    """(question id, its fieldset's HTML, the whole page) for each page of a one-question-per-page attempt."""
    count = len(re.findall(r'<a href="[^"]*\?q=\d+"', first))
    for index in range(1, count + 1):
        html = first if index == 1 else client.get(f"{url}?q={index}").get_data(as_text=True)
        block = html[html.index('<fieldset class="question'):]
        block = block[:block.index("</fieldset>")]
        yield re.search(r'name="question" value="([^"]+)"', block).group(1), block, html


def fieldset(html: str, question_id: str) -> str:
    block = html[html.index(f'id="question-{question_id}"'):]
    return block[:block.index("</fieldset>")]


def choice_values(block: str) -> dict[str, str]:
    """Visible text (as HTML) -> value of the radio buttons or checkboxes of a question, in display order."""
    return {text: value for value, text in
            re.findall(r'<input type="(?:radio|checkbox)" name="[^"]+" value="([^"]*)"[^>]*> <span>([^<]*)</span>', block)}


def select_for(block: str, label: str) -> tuple[str, dict[str, str]]:
    """The name of the drop-down labelled ``label`` and its options (text as HTML -> value)."""
    text = re.escape(str(escape(label)))
    match = (re.search(r'<label for="([^"]+)">' + text + r'</label>\s*<select id="\1" name="([^"]+)"[^>]*>(.*?)</select>',
                       block, re.S)
             or re.search(r'<select id="([^"]+)" name="([^"]+)"[^>]*>(.*?)</select>\s*<label for="\1">' + text + "</label>",
                          block, re.S))
    assert match, label
    return match.group(2), {text: value for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                                                                       match.group(3))}


def right_fields(block: str, question: Question) -> dict:
    """The form fields a learner sends to answer ``question`` right, picked by the words on the page."""
    name = f"q-{question.id}"
    if question.type in ("single", "true_false"):
        best = max(question.options, key=lambda o: o.fraction)
        return {name: choice_values(block)[str(escape(best.text))]}
    if question.type == "multiple":
        values = choice_values(block)
        return {name: [values[str(escape(o.text))] for o in question.options if o.fraction > 0]}
    if question.type == "short":
        return {name: next(a.text for a in question.answers if a.fraction == 1)}
    if question.type == "numeric":
        answer = next(a for a in question.numeric if a.fraction == 1)
        return {name: format(answer.value if answer.value is not None else answer.low, "f")}
    if question.type == "matching":
        fields = {}
        for pair in question.pairs:
            field, options = select_for(block, pair.left)
            fields[field] = options[str(escape(pair.right))]
        return fields
    if question.type == "ordering":
        return {select_for(block, item.text)[0]: str(position) for position, item in enumerate(question.items, 1)}
    raise AssertionError(f"no right answer for a {question.type} question")


def save(client, url: str, html: str, question_id: str, fields: dict):
    return client.post(url + "/quiz/save", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html),
                                                 "question": question_id, "action": "save", **fields})


def submit(client, url: str, html: str) -> None:
    response = client.post(url + "/quiz/submit", data={"csrf_token": csrf_from(html), "attempt": attempt_of(html)})
    assert response.status_code == 302


def attempt_row(app, attempt_id: str) -> QuizAttempt:
    with app.app_context():
        return db_session().scalar(select(QuizAttempt).where(QuizAttempt.id == int(attempt_id)))


def authored_fields(question: Question) -> dict:
    """The right answer as the old page's fields, in the quiz file's ids (what a leaked key gives)."""
    name = f"q-{question.id}"
    if question.type in ("single", "true_false"):
        return {name: max(question.options, key=lambda o: o.fraction).id}
    if question.type == "multiple":
        return {name: [o.id for o in question.options if o.fraction > 0]}
    if question.type == "matching":
        return {f"{name}-{pair.left_id}": pair.right_id for pair in question.pairs}
    if question.type == "ordering":
        return {f"{name}-{item.id}": str(position) for position, item in enumerate(question.items, 1)}
    raise AssertionError(question.type)


def test_a_script_posting_authored_ids_no_longer_passes(client, auth, app, builtin):
    """The attack: every authored id, ``a`` last, on every single-choice question, the right
    answer in authored ids on the other choice questions, typed answers right. It passed every quiz
    of the built-in course with 100 %; now every choice question reaches the grade unanswered."""
    auth.as_role("learner")
    statuses, posted, singles = Counter(), 0, 0
    for url, quiz in builtin:
        first = start(client, url)
        for qid, block, html in pages(client, url, first):
            question = quiz.question(qid)
            if question.type in ("short", "numeric"):
                assert save(client, url, html, qid, right_fields(block, question)).status_code == 302
                continue
            # every authored id, the right one last, so the old code would have kept it
            attempts = ([{f"q-{qid}": option.id} for option in sorted(question.options, key=lambda o: o.fraction)]
                        if question.type == "single" else [authored_fields(question)])
            singles += question.type == "single"
            for fields in attempts:
                response = save(client, url, html, qid, fields)
                if question.type in CHOICES:
                    posted += 1
                    statuses[response.status_code] += 1
        submit(client, url, first)
        attempt = attempt_row(app, attempt_of(first))
        results = {r["question_id"]: r for r in attempt.result["results"]}
        # the questions this attempt drew (a quiz with a pool shows some of its questions)
        chosen = [qid for qid in results if quiz.question(qid).type in (*CHOICES, "matching", "ordering")]
        assert attempt.passed is False, f"{url}: {attempt.percent} %"
        assert all(results[qid]["answered"] is False and results[qid]["score"] == 0 for qid in chosen)
        assert not set(chosen) & set(attempt.answers)  # nothing stored for them
    assert singles >= 19 and statuses == Counter({400: posted})  # refused, as any tampered request


def test_choice_values_are_per_attempt_tokens_whose_sorted_order_tells_nothing(client, auth, fixed_seeds, builtin):
    auth.as_role("learner")
    ranks, samples = Counter(), 0
    seen: dict[str, list[dict[str, str]]] = {}  # question id -> text -> value, one per attempt
    for url, quiz in builtin:
        for _attempt in range(2):
            first = start(client, url)
            tokens_of_attempt = []
            for qid, block, _html in pages(client, url, first):
                question = quiz.question(qid)
                if question.type not in CHOICES:
                    continue
                values = choice_values(block)
                authored = {o.id for o in question.options}
                assert len(values) == len(question.options)
                assert not authored & set(values.values()), values
                assert all(re.fullmatch(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}", v) for v in values.values())
                tokens_of_attempt += values.values()
                seen.setdefault(qid, []).append(values)
                if question.type == "single":
                    right = values[str(escape(next(o.text for o in question.options if o.fraction == 1)))]
                    ranks[sorted(values.values()).index(right)] += 1
                    samples += 1
            assert len(set(tokens_of_attempt)) == len(tokens_of_attempt)  # no token shared between questions
            submit(client, url, first)
    for qid, drawn in seen.items():
        if len(drawn) < 2:
            continue  # drawn by one attempt only (a quiz with a pool)
        one, two = drawn[:2]
        assert one.keys() == two.keys() and not set(one.values()) & set(two.values()), qid  # new attempt, new tokens
    # With "a" as the value, the right option sorted first every time (38 of 38). Tokens put it
    # anywhere: with four options each sorted position holds it about a quarter of the time.
    assert samples >= 38 and set(ranks) == {0, 1, 2, 3}
    assert max(ranks.values()) <= samples // 2, ranks


def test_token_order_is_uniform_over_many_attempts_of_the_builtin_course():
    """The same property as above, on the core alone with many fixed attempt keys."""
    singles = [q for _url, quiz in builtin_quizzes() for q in quiz.questions if q.type == "single"]
    ranks = Counter()
    for attempt_id in range(1, 101):
        tokens = AttemptTokens("a secret", f"{attempt_id}:{attempt_id * 7919}")
        for question in singles:
            by_id = tokens.tokens(question, "option")
            right = by_id[next(o.id for o in question.options if o.fraction == 1)]
            ranks[sorted(by_id.values()).index(right)] += 1
    total = sum(ranks.values())  # 1900 samples: each position within 20 % of a quarter
    assert all(abs(ranks[position] - total / 4) < total / 20 for position in range(4)), ranks


def test_tokens_map_every_answer_shape_both_ways_and_refuse_strangers():
    from lms.core.quiz import AnswerError, draw_attempt

    quiz = sample_quiz()
    tokens, other = AttemptTokens("a secret", "1:42"), AttemptTokens("a secret", "2:42")
    plan = draw_attempt(quiz, 42)
    stored = {"smile": "a", "parts": ["a", "b"], "promise": "true", "speed": "15",
              "channels": {"a": "r1", "b": "r2"}, "steps": ["a", "b", "c"]}
    for qid, answer in stored.items():
        question = quiz.question(qid)
        shown = tokens.to_browser(question, answer)
        assert tokens.from_browser(question, shown) == answer
        if qid != "speed":
            assert shown != answer and shown != other.to_browser(question, answer)
            for stranger in (answer, other.to_browser(question, answer)):  # authored ids, another attempt's
                with pytest.raises(AnswerError):
                    tokens.from_browser(question, stranger)
    public = tokens.public_question(quiz, "channels", plan)
    assert [entry["text"] for entry in public["rights"]] == [
        text for rid in plan.right_orders["channels"] for r, text in quiz.question("channels").rights() if r == rid]
    assert tokens.tokens(quiz.question("smile"), "option") != tokens.tokens(quiz.question("parts"), "option")
    with pytest.raises(ValueError):
        AttemptTokens("", "1:42")


def test_matching_and_ordering_pages_name_no_authored_id(client, auth, sample_course):
    auth.as_role("learner")
    quiz = sample_quiz()
    names = {}
    for _attempt in range(2):
        html = start(client, SAMPLE_QUIZ)
        form = html[html.index('<form class="quiz-form'):]
        form = form[:form.index("</form>")]
        assert "<!--" not in form and "data-" not in form and "<script" not in form
        for qid, kind in (("channels", "matching"), ("steps", "ordering")):
            question = quiz.question(qid)
            assert question.type == kind
            authored = ({p.left_id for p in question.pairs} | {rid for rid, _ in question.rights()}
                        | {i.id for i in question.items})
            block = fieldset(form, qid)
            attributes = re.findall(r'\b(?:name|id|for|value)="([^"]*)"', block)
            suffixes = [a.removeprefix(f"q-{qid}-") for a in attributes]
            assert not authored & set(suffixes), (qid, suffixes)
            names.setdefault(qid, []).append({a for a in attributes if a.startswith(f"q-{qid}-")})
            if kind == "matching":
                rights = re.findall(r'<option value="([^"]+)"', block)
                assert len(rights) == len(question.rights()) * len(question.pairs)
                assert not authored & set(rights)
                names[qid][-1] |= set(rights)
        submit(client, SAMPLE_QUIZ, html)
    for qid, (one, two) in names.items():
        assert one and not one & two, qid  # the second attempt's page uses other tokens


def test_a_choice_from_elsewhere_or_a_guess_is_refused_and_changes_nothing(client, auth, app, sample_course):
    auth.as_role("learner")
    quiz = sample_quiz()
    first = start(client, SAMPLE_QUIZ)
    earlier = right_fields(fieldset(first, "smile"), quiz.question("smile"))
    submit(client, SAMPLE_QUIZ, first)
    html = start(client, SAMPLE_QUIZ)
    left_field, rights = select_for(fieldset(html, "channels"), "Мессенджер")
    for fields in (earlier,                                              # attempt 1's token
                   {"q-smile": "a"}, {"q-promise": "true"},              # authored ids
                   {"q-parts": ["a", "b"]}, {"q-smile": "x" * TOKEN_LENGTH},
                   {left_field: "r1"}, {left_field: "<script>"},          # rights this page never offered
                   {"q-steps-a": "1", "q-steps-b": "2", "q-steps-c": "3"}):  # authored item ids as names
        qid = next(iter(fields)).split("-")[1]
        response = save(client, SAMPLE_QUIZ, html, qid, fields)
        if qid == "steps":  # fields the page never had are not read: nothing answered
            assert response.status_code == 302
        else:
            assert response.status_code == 400, fields
    assert rights and attempt_row(app, attempt_of(html)).answers == {}


def test_right_answers_through_the_tokens_pass_and_show_as_before(client, auth, app, builtin, sample_course):
    auth.as_role("learner")
    url, quiz = builtin[0]
    first = start(client, url)
    for qid, block, html in pages(client, url, first):
        assert save(client, url, html, qid, right_fields(block, quiz.question(qid))).status_code == 302
    again = client.get(url).get_data(as_text=True)  # saved answers are shown checked, by their tokens
    for qid, block, _html in pages(client, url, again):
        question = quiz.question(qid)
        if question.type in CHOICES:
            values = right_fields(block, question)[f"q-{qid}"]
            assert all(f'value="{v}" checked' in block for v in (values if isinstance(values, list) else [values]))
        elif question.type == "matching":
            assert all(f'value="{v}" selected' in block for v in right_fields(block, question).values())
    submit(client, url, first)
    attempt = attempt_row(app, attempt_of(first))
    assert attempt.passed is True and attempt.percent == 100
    # stored answers stay in the quiz file's ids, so reviews, analysis and xAPI read them as before
    single = next(q for q in quiz.questions if q.type == "single")
    right = max(single.options, key=lambda o: o.fraction)
    assert attempt.answers[single.id] == right.id
    result = client.get(f"{url}/attempts/{attempt.number}").get_data(as_text=True)
    assert "Сдано. Отлично!" in result and str(escape(right.text)) in result

    # all on one page, every type, through the page: the results show the answers in words
    quiz = sample_quiz()
    html = start(client, SAMPLE_QUIZ)
    fields = {}
    for question in quiz.graded_questions:
        fields.update(right_fields(fieldset(html, question.id), question))
    response = client.post(SAMPLE_QUIZ + "/quiz/save", data={
        "csrf_token": csrf_from(html), "attempt": attempt_of(html), "action": "finish",
        "question": [q.id for q in quiz.graded_questions], **fields})
    assert response.status_code == 302
    submit(client, SAMPLE_QUIZ, html)
    result = client.get(SAMPLE_QUIZ + "/attempts/1").get_data(as_text=True)
    assert "Сдано. Отлично!" in result and re.search(r'class="score">100\s%', result)
    for words in ("Улыбку в голосе", "Срок; Имя менеджера", "Верно", "Мессенджер → 10 минут; Почта → 30 минут",
                  "Ответить за 10–30 минут → Уточнить потребности → Отправить КП"):
        assert words in result, words


def test_immediate_feedback_judges_the_choice_posted_by_its_token(client, auth, runner, tmp_path):
    shutil.copytree(SAMPLE_COURSES, tmp_path / "courses")
    path = tmp_path / "courses" / "sample" / "02-practice" / "03-quiz.md"
    path.write_text(path.read_text(encoding="utf-8").replace("feedback: after_submit", "feedback: immediate"),
                    encoding="utf-8")
    assert runner.invoke(args=["lms", "courses", "import", str(tmp_path / "courses")]).exit_code == 0
    auth.as_role("learner")
    quiz = sample_quiz()
    html = start(client, SAMPLE_QUIZ)
    wrong = choice_values(fieldset(html, "smile"))["Ничего особенного"]
    right = right_fields(fieldset(html, "channels"), quiz.question("channels"))
    assert save(client, SAMPLE_QUIZ, html, "smile", {"q-smile": wrong}).status_code == 302
    assert save(client, SAMPLE_QUIZ, html, "channels", right).status_code == 302
    page = client.get(SAMPLE_QUIZ).get_data(as_text=True)
    smile, channels = fieldset(page, "smile"), fieldset(page, "channels")
    assert f'value="{wrong}" checked' in smile and 'class="feedback is-wrong"' in smile
    assert "Клиент слышит интонацию, даже не видя вас." in smile and "Улыбка слышна по голосу." in smile
    assert 'class="feedback is-correct"' in channels
    assert all(f'value="{value}" selected' in channels for value in right.values())
