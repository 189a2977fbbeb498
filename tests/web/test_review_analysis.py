"""Item analysis of a course through the test client: quiz questions and role-play replies."""
import re

from support.review import QUEUE, import_course, pending_ids, release, take_quiz, team_up, write_letter

ANALYSIS = "/training/review/analysis/reviewed"


def row(html: str, attribute: str, value: str) -> str:
    start = html.index(f'{attribute}="{value}"')
    return html[start:html.index("</tr>", start)]


def cell(row_html: str, name: str) -> str:
    return re.search(rf'class="[^"]*\b{name}\b[^"]*">(.*?)</td>', row_html, re.S).group(1).strip()


def test_analysis_counts_submitted_attempts_and_chosen_replies(client, auth, app, runner):
    import_course(runner)
    team_up(app, auth)
    auth.create("third@example.com", "Третий", ("learner",))
    auth.create("admin@example.com", "Admin", ("admin",))
    for email, right, first_reply in (("learner@example.com", True, "1"), ("stranger@example.com", False, "2"),
                                      ("third@example.com", True, "1")):
        auth.login(email)
        take_quiz(client, right=right)
        write_letter(client, first_reply=first_reply)
    auth.login("admin@example.com")
    quiz_reviews = pending_ids(app)[::2][:2]  # the quiz answers of the first two learners (quiz, letter, quiz, ...)
    release(client, quiz_reviews[0], marks=[0, 1])
    release(client, quiz_reviews[1], marks=[], points="0")  # the third learner's answer stays pending

    html = client.get(ANALYSIS).get_data(as_text=True)
    assert "Курс с проверкой" in html
    quiz = html[html.index('data-key="01-practice/02-quiz"'):html.index('data-key="01-practice/01-letter"')]
    assert 'data-attempts="2"' in quiz  # the third attempt still awaits review
    say = row(quiz, "data-question", "say")
    assert re.match(r"50\s%", cell(say, "facility"))
    assert cell(say, "discrimination") in ("1,00", "1.00")  # the strong attempt right, the weak one wrong
    assert "Это не мы виноваты" in cell(say, "wrong") and "(1)" in cell(say, "wrong")
    apology = row(quiz, "data-question", "apology")
    assert re.match(r"50\s%", cell(apology, "facility")) and cell(apology, "wrong") == "—"
    assert "5" in cell(row(quiz, "data-question", "sum"), "wrong")  # the typed wrong answer

    assert 'data-runs="3"' in html
    replies = html[html.index('data-step="complaint"'):]
    assert cell(row(replies, "data-reply", "1"), "count") == "2"
    assert cell(row(replies, "data-reply", "2"), "count") == "1"
    assert "Извиниться." in row(replies, "data-reply", "1")
    letter = html[html.index('data-step="letter"'):]
    assert cell(row(letter, "data-reply", "text"), "count") == "3"
    assert 'href="/training/review/analysis/reviewed"' in client.get(QUEUE).get_data(as_text=True)
