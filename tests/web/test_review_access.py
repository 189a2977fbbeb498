"""Who may use the review pages: every endpoint tried as every kind of user."""
import pytest

from support import csrf_from
from support.review import QUEUE, import_course, pending_ids, team_up, write_letter

ANALYSIS = "/training/review/analysis/reviewed"


@pytest.fixture
def letter_review(client, auth, app, runner) -> int:
    """One pending review of ``learner@`` (team A, trained by ``trainer@``); nobody signed in."""
    import_course(runner)
    team_up(app, auth)
    auth.create("hr@example.com", "Hr", ("hr",))
    auth.create("admin@example.com", "Admin", ("admin",))
    auth.login("learner@example.com")
    write_letter(client)
    auth.logout()
    [review_id] = pending_ids(app)
    return review_id


def attempt_all(client, review_id: int) -> dict[str, int]:
    token = csrf_from(client.get("/training/").get_data(as_text=True))
    return {
        "queue": client.get(QUEUE).status_code,
        "review": client.get(f"{QUEUE}{review_id}").status_code,
        "analysis": client.get(ANALYSIS).status_code,
        "release": client.post(f"{QUEUE}{review_id}", data={"csrf_token": token, "marks": ["0"]}).status_code,
    }


def test_anonymous_users_are_sent_to_sign_in(client, letter_review):
    for path in (QUEUE, f"{QUEUE}{letter_review}", ANALYSIS):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(f"{QUEUE}{letter_review}", data={"csrf_token": token, "marks": ["0"]})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert pending_ids(client.application) == [letter_review]


@pytest.mark.parametrize("email", ["learner@example.com", "hr@example.com"])
def test_learners_and_hr_are_refused(client, auth, letter_review, email):
    auth.login(email)
    assert attempt_all(client, letter_review) == {"queue": 403, "review": 403, "analysis": 403, "release": 403}
    assert 'href="/training/review/"' not in client.get("/training/").get_data(as_text=True)  # not in the menu
    assert pending_ids(client.application) == [letter_review]


def test_a_trainer_of_another_group_cannot_tell_the_review_exists(client, auth, letter_review):
    auth.login("other@example.com")
    assert attempt_all(client, letter_review) == {"queue": 200, "review": 404, "analysis": 200, "release": 404}
    assert client.get(f"{QUEUE}999999").status_code == 404
    assert pending_ids(client.application) == [letter_review]


@pytest.mark.parametrize("email", ["trainer@example.com", "admin@example.com"])
def test_the_learners_trainer_and_admins_may_mark_and_release(client, auth, letter_review, email):
    auth.login(email)
    assert client.get(QUEUE).status_code == 200
    assert client.get(f"{QUEUE}{letter_review}").status_code == 200
    assert client.get(ANALYSIS).status_code == 200
    assert 'href="/training/review/"' in client.get("/training/").get_data(as_text=True)
    page = client.get(f"{QUEUE}{letter_review}").get_data(as_text=True)
    response = client.post(f"{QUEUE}{letter_review}", data={"csrf_token": csrf_from(page), "marks": ["0"]})
    assert response.status_code == 302 and response.headers["Location"] == QUEUE
    assert pending_ids(client.application) == []


def test_a_release_without_the_csrf_token_is_refused(client, auth, letter_review):
    auth.login("trainer@example.com")
    assert client.post(f"{QUEUE}{letter_review}", data={"marks": ["0"]}).status_code == 400
    assert pending_ids(client.application) == [letter_review]


def test_the_analysis_of_an_unknown_course_is_not_found(client, auth, letter_review):
    auth.login("trainer@example.com")
    assert client.get("/training/review/analysis/no-such-course").status_code == 404
