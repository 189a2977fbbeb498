"""Publishing a new version never changes work already started or finished on the old one."""
import re

from sqlalchemy import select

from lms.models import CourseVersion, QuizAttempt
from lms.state import db_session

from support import csrf_from, make_editor

QUIZ = "/training/courses/sample/02-practice/03-quiz"
QUIZ_FILE = "02-practice/03-quiz.md"


def publish_edited_quiz(client, auth):
    auth.logout()
    auth.as_role("trainer", "trainer@example.com")
    make_editor(auth.app, "sample", "trainer@example.com")
    editor = client.get(f"/training/author/sample/edit?path={QUIZ_FILE}").get_data(as_text=True)
    text = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", editor, re.S).group(1)
    import html

    text = html.unescape(text).replace("## Сколько минут на ответ? {#speed}", "## За сколько минут ответить? {#reply-time}")
    token = csrf_from(editor)
    client.post(f"/training/author/sample/edit?path={QUIZ_FILE}", data={"csrf_token": token, "text": text, "action": "save"})
    published = client.post("/training/author/sample/publish", data={"csrf_token": token,
                                                                    "note": "Новый вопрос"})
    assert published.status_code == 302, re.findall(r"<code>(.*?)</code>", published.get_data(as_text=True))
    auth.logout()


def test_an_open_attempt_finishes_on_the_version_it_was_drawn_from(client, auth, app, sample_course):
    auth.as_role("learner", "learner@example.com")
    page = client.get(QUIZ).get_data(as_text=True)
    client.post(QUIZ + "/quiz/start", data={"csrf_token": csrf_from(page)})
    page = client.get(QUIZ).get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', page).group(1)
    client.post(QUIZ + "/quiz/save", data={"csrf_token": csrf_from(page), "attempt": attempt, "question": "speed",
                                           "q-speed": "20", "action": "save"})
    publish_edited_quiz(client, auth)
    auth.login("learner@example.com")
    page = client.get(QUIZ).get_data(as_text=True)
    assert "Сколько минут на ответ?" in page and 'value="20"' in page  # still the old question, answer kept
    result = client.post(QUIZ + "/quiz/submit", data={"csrf_token": csrf_from(page), "attempt": attempt})
    assert result.status_code == 302
    with app.app_context():
        session = db_session()
        first = session.scalar(select(QuizAttempt))
        assert first.result["results"][0]["question_id"] == "speed" and first.result["results"][0]["score"] == 1
        assert session.get(CourseVersion, first.version_id).number == 1
    page = client.get(QUIZ).get_data(as_text=True)
    client.post(QUIZ + "/quiz/start", data={"csrf_token": csrf_from(page)})
    assert "За сколько минут ответить?" in client.get(QUIZ).get_data(as_text=True)  # new work, new version
